package clerktest

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// defaultOAuthTokenLifetime is the emulator's choice for OAuth access
// tokens made without MachineTokenLifetime.
const defaultOAuthTokenLifetime = time.Hour

// OAuthToken is an access token Clerk issued, as an OAuth identity
// provider, to an OAuth application acting for a user.
type OAuthToken struct {
	// ID is "oat_" followed by 32 hex digits; a JWT carries it as jti.
	ID string
	// Token is the bearer value: "oat_" followed by 32 hex digits, or a
	// JWT with typ "at+jwt".
	Token    string
	Subject  string // the user, "user_…"
	ClientID string // the OAuth application
	Scopes   []string
	// Audience becomes aud in the JWT and in the verify answer; nil omits it.
	Audience         []string
	JWT              bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ExpiresAt        time.Time
	Revoked          bool
	RevocationReason string
}

// oauthAllowed are the options an OAuth token takes.
const oauthAllowed = optJWT | optAudience | optHeader | optPayload | optSignedBy | optRevoked

// CreateOAuthToken stores an access token for userID granted to the OAuth
// application clientID, opaque unless MachineTokenJWT is given. Unlike M2M
// tokens, OAuth JWTs are stored too, because Clerk's verify endpoint knows
// them (it answers {"active": false} once one expires).
func (s *Server) CreateOAuthToken(userID, clientID string, opts ...MachineTokenOption) (OAuthToken, error) {
	cfg, err := machineTokenOptions("an OAuth token", oauthAllowed, opts)
	if err != nil {
		return OAuthToken{}, err
	}
	if userID == "" || clientID == "" {
		return OAuthToken{}, errors.New("clerktest: an OAuth token needs a user id and a client id")
	}
	s.mu.Lock()
	key, now := *s.current, s.now()
	s.mu.Unlock()
	created, expires := cfg.times(now, defaultOAuthTokenLifetime)
	t := OAuthToken{
		ID:               "oat_" + s.ids.hex(16),
		Subject:          userID,
		ClientID:         clientID,
		Scopes:           slices.Clone(cfg.scopes),
		Audience:         slices.Clone(cfg.audience),
		JWT:              cfg.set&optJWT != 0,
		CreatedAt:        created,
		UpdatedAt:        created,
		ExpiresAt:        expires,
		Revoked:          cfg.set&optRevoked != 0,
		RevocationReason: cfg.reason,
	}
	if t.JWT {
		if t.Token, err = s.signOAuth(t, cfg, key); err != nil {
			return OAuthToken{}, err
		}
	} else {
		t.Token = "oat_" + s.ids.hex(16)
	}
	stored := copyOAuth(&t)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mach.oauth[t.ID] = &stored
	s.mach.oauthByToken[t.Token] = t.ID
	return t, nil
}

// OAuthToken returns a copy of a stored OAuth access token.
func (s *Server) OAuthToken(id string) (OAuthToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.mach.oauth[id]
	if !ok {
		return OAuthToken{}, false
	}
	return copyOAuth(t), true
}

// RevokeOAuthToken revokes an OAuth access token; revoking it again keeps
// the first revocation.
func (s *Server) RevokeOAuthToken(id, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.mach.oauth[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrOAuthTokenNotFound, id)
	}
	if !t.Revoked {
		t.Revoked, t.RevocationReason, t.UpdatedAt = true, reason, s.now()
	}
	return nil
}

// oauthByToken returns the stored token whose bearer value is token.
func (s *Server) oauthByToken(token string) (OAuthToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.mach.oauth[s.mach.oauthByToken[token]]
	if !ok {
		return OAuthToken{}, false
	}
	return copyOAuth(t), true
}

func copyOAuth(t *OAuthToken) OAuthToken {
	out := *t
	out.Scopes = slices.Clone(t.Scopes)
	out.Audience = slices.Clone(t.Audience)
	return out
}
