package clerk

import (
	"testing"
	"time"
)

// TestRefreshMarginWithUnknownLifetime: a token whose lifetime cannot be
// told (no created_at, no requested lifetime) is still replaced the
// margin before it expires, not at the instant it does.
func TestRefreshMarginWithUnknownLifetime(t *testing.T) {
	s := &M2MTokenSource{}
	if got := s.refreshMargin(0); got != minRefreshMargin {
		t.Errorf("default margin for an unknown lifetime: %v; want %v", got, minRefreshMargin)
	}
	s.margin = 30 * time.Second
	if got := s.refreshMargin(0); got != 30*time.Second {
		t.Errorf("WithRefreshMargin(30s) for an unknown lifetime: %v; want 30s", got)
	}
	if got := s.refreshMargin(time.Minute); got != 30*time.Second {
		t.Errorf("30 s margin of a 60 s token: %v; want 30s", got)
	}
}
