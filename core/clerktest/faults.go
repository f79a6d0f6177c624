package clerktest

import (
	"net/http"
	"slices"
	"time"
)

// Endpoint names used to scope faults and latency and to count requests.
const (
	// EndpointTokens covers both POST /v1/sessions/{id}/tokens and
	// POST /v1/sessions/{id}/tokens/{template}.
	EndpointTokens = "tokens"
	// EndpointJWKS is GET /v1/jwks.
	EndpointJWKS = "jwks"
	// EndpointPublicJWKS is GET /.well-known/jwks.json.
	EndpointPublicJWKS = "public_jwks"
	// EndpointCreateM2MToken is POST /m2m_tokens. Like every machine
	// endpoint below it answers with and without the /v1 prefix.
	EndpointCreateM2MToken = "create_m2m_token"
	// EndpointVerifyM2MToken is POST /m2m_tokens/verify.
	EndpointVerifyM2MToken = "verify_m2m_token"
	// EndpointRevokeM2MToken is POST /m2m_tokens/{id}/revoke.
	EndpointRevokeM2MToken = "revoke_m2m_token"
	// EndpointCreateAPIKey is POST /api_keys.
	EndpointCreateAPIKey = "create_api_key"
	// EndpointVerifyAPIKey is POST /api_keys/verify.
	EndpointVerifyAPIKey = "verify_api_key"
	// EndpointRevokeAPIKey is POST /api_keys/{id}/revoke.
	EndpointRevokeAPIKey = "revoke_api_key"
	// EndpointVerifyOAuthToken is POST
	// /oauth_applications/access_tokens/verify.
	EndpointVerifyOAuthToken = "verify_oauth_token"
	// EndpointUnknown is any other path.
	EndpointUnknown = "unknown"
)

type faultKind int

const (
	faultFail faultKind = iota
	faultRateLimit
	faultDrop
)

// fault is one queued injection; requests consume faults in the order they
// were queued, each fault answering up to n matching requests.
type fault struct {
	kind       faultKind
	n          int
	status     int
	retryAfter string
	endpoints  []string // empty: any endpoint
}

func (f *fault) matches(endpoint string) bool {
	return len(f.endpoints) == 0 || slices.Contains(f.endpoints, endpoint)
}

// FailNext answers the next n requests to the given endpoints (any endpoint
// when none are named) with status and a ClerkErrors body, before
// authentication, as a failing load balancer or Clerk outage would.
func (s *Server) FailNext(n, status int, endpoints ...string) {
	s.queueFault(&fault{kind: faultFail, n: n, status: status, endpoints: endpoints})
}

// RateLimitNext answers the next n matching requests with 429
// too_many_requests. retryAfter becomes the Retry-After header verbatim
// (delay seconds such as "1", or an HTTP-date); "" sends no header.
func (s *Server) RateLimitNext(n int, retryAfter string, endpoints ...string) {
	s.queueFault(&fault{kind: faultRateLimit, n: n, status: http.StatusTooManyRequests, retryAfter: retryAfter, endpoints: endpoints})
}

// DropNext closes the connection of the next n matching requests without
// answering, so clients see a transport error rather than an HTTP status.
func (s *Server) DropNext(n int, endpoints ...string) {
	s.queueFault(&fault{kind: faultDrop, n: n, endpoints: endpoints})
}

// ClearFaults discards every queued fault and latency setting.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	clear(s.latency)
}

func (s *Server) queueFault(f *fault) {
	if f.n <= 0 {
		return
	}
	f.endpoints = slices.Clone(f.endpoints)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// takeFault consumes one use of the first queued fault matching endpoint.
func (s *Server) takeFault(endpoint string) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.matches(endpoint) {
			continue
		}
		f.n--
		if f.n == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return *f, true
	}
	return fault{}, false
}

// SetLatency delays every answer to the given endpoints (all endpoints when
// none are named) by d; 0 removes the delay. A delayed request gives up
// early if its client goes away or the server closes.
func (s *Server) SetLatency(d time.Duration, endpoints ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(endpoints) == 0 {
		endpoints = []string{""}
	}
	for _, e := range endpoints {
		if d <= 0 {
			delete(s.latency, e)
		} else {
			s.latency[e] = d
		}
	}
}

func (s *Server) latencyFor(endpoint string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.latency[endpoint]; ok {
		return d
	}
	return s.latency[""]
}

// applyFault writes the injected answer, reporting whether one was due.
func (s *Server) applyFault(w http.ResponseWriter, endpoint string) (status int, handled bool) {
	f, ok := s.takeFault(endpoint)
	if !ok {
		return 0, false
	}
	switch f.kind {
	case faultDrop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return 0, true
		}
		// Without hijacking (HTTP/2), aborting the handler is the closest
		// equivalent: net/http resets the stream.
		panic(http.ErrAbortHandler)
	case faultRateLimit:
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		s.writeError(w, f.status, errTooManyRequests())
	default:
		s.writeError(w, f.status, errForStatus(f.status))
	}
	return f.status, true
}
