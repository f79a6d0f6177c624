package clerktest

import "testing"

// Start is NewServer for tests: the server closes when tb's test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := NewServer(opts...)
	tb.Cleanup(s.Close)
	return s
}
