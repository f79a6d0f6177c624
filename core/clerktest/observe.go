package clerktest

import (
	"bytes"
	"io"
	"net/http"
)

// maxRecordedBody bounds how much of a request body is read, so a runaway
// client cannot exhaust memory; token requests are a few bytes.
const maxRecordedBody = 1 << 20

// RecordedRequest is a copy of a request as the emulator received it, for
// assertions about what a client put on the wire.
type RecordedRequest struct {
	Method   string
	Path     string // escaped, exactly as sent
	RawQuery string
	Endpoint string // one of the Endpoint constants
	Header   http.Header
	Body     []byte
}

// Requests returns how many requests reached endpoint (all endpoints for
// ""), counting those answered by injected faults.
func (s *Server) Requests(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if endpoint == "" {
		total := 0
		for _, n := range s.counts {
			total += n
		}
		return total
	}
	return s.counts[endpoint]
}

// LastRequest returns the most recent request; the zero value before any.
func (s *Server) LastRequest() RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.last
	r.Header = r.Header.Clone()
	r.Body = bytes.Clone(r.Body)
	return r
}

// ResetRequests zeroes the counters and forgets the last request.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counts)
	s.last = RecordedRequest{}
}

// record reads the body (so handlers see it again) and stores the request.
func (s *Server) record(r *http.Request, endpoint string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRecordedBody+1))
	rec := RecordedRequest{
		Method:   r.Method,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Endpoint: endpoint,
		Header:   r.Header.Clone(),
		Body:     body,
	}
	s.mu.Lock()
	s.counts[endpoint]++
	s.last = rec
	s.mu.Unlock()
	return body, err
}
