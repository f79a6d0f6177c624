package clerktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// M2MToken is a machine-to-machine token: what its machine presents to the
// machines named in Scopes.
type M2MToken struct {
	// ID is "mt_" followed by 32 hex digits; a JWT carries it as jti.
	ID string
	// Token is the bearer value: "mt_" followed by 32 hex digits, or a JWT.
	Token string
	// Subject is the id of the machine that minted the token.
	Subject string
	// Scopes are the ids of the machines the token is granted to.
	Scopes []string
	// Claims are the custom claims; nil when none.
	Claims map[string]any
	// JWT reports the JWT format. JWT tokens are stateless, as on Clerk:
	// they are not stored, so they cannot be revoked or verified over the
	// API, only checked against the instance's keys.
	JWT              bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ExpiresAt        time.Time
	Revoked          bool
	RevocationReason string
}

// m2mAllowed are the options an M2M token takes.
const m2mAllowed = optJWT | optClaims | optHeader | optPayload | optSignedBy | optRevoked

// noReuse disables min_remaining_ttl_seconds token reuse in mintM2M.
const noReuse time.Duration = -1

// CreateM2MToken mints a token for the machine, opaque unless
// MachineTokenJWT is given, as POST /m2m_tokens does but without the HTTP
// round trip, for tests that need a token to present.
func (s *Server) CreateM2MToken(machineID string, opts ...MachineTokenOption) (M2MToken, error) {
	cfg, err := machineTokenOptions("an M2M token", m2mAllowed, opts)
	if err != nil {
		return M2MToken{}, err
	}
	if cfg.set&optJWT != 0 && cfg.set&optRevoked != 0 {
		return M2MToken{}, errors.New("clerktest: a JWT M2M token is stateless and cannot be revoked")
	}
	tok, _, err := s.mintM2M(machineID, cfg, noReuse)
	return tok, err
}

// mintM2M mints an M2M token. With minRemaining >= 0 an opaque token of the
// same machine, scopes and claims that is alive for at least minRemaining
// more is returned instead (reused reports that).
func (s *Server) mintM2M(machineID string, cfg machineTokenConfig, minRemaining time.Duration) (tok M2MToken, reused bool, err error) {
	claims, err := copyObject(cfg.claims)
	if err != nil {
		return M2MToken{}, false, fmt.Errorf("clerktest: M2M token claims: %w", err)
	}
	s.mu.Lock()
	m, ok := s.mach.machines[machineID]
	if !ok {
		s.mu.Unlock()
		return M2MToken{}, false, fmt.Errorf("%w: %s", ErrMachineNotFound, machineID)
	}
	scopes := slices.Clone(m.Scopes)
	if cfg.scopesSet {
		scopes = slices.Clone(cfg.scopes)
	}
	ttl, key, now := m.DefaultTokenTTL, *s.current, s.now()
	s.mu.Unlock()

	created, expires := cfg.times(now, ttl)
	tok = M2MToken{
		ID:               "mt_" + s.ids.hex(16),
		Subject:          machineID,
		Scopes:           scopes,
		Claims:           claims,
		JWT:              cfg.set&optJWT != 0,
		CreatedAt:        created,
		UpdatedAt:        created,
		ExpiresAt:        expires,
		Revoked:          cfg.set&optRevoked != 0,
		RevocationReason: cfg.reason,
	}
	if tok.JWT {
		tok.Token, err = s.signM2M(tok, cfg, key)
		return tok, false, err
	}
	tok.Token = "mt_" + s.ids.hex(16)

	s.mu.Lock()
	defer s.mu.Unlock()
	if minRemaining >= 0 {
		if old := s.reusableM2M(tok, now, now.Add(minRemaining)); old != nil {
			return copyM2M(old), true, nil
		}
	}
	stored := copyM2M(&tok)
	s.mach.m2m[tok.ID] = &stored
	s.mach.m2mByToken[tok.Token] = tok.ID
	return tok, false, nil
}

// reusableM2M finds the newest unexpired, unrevoked opaque token like want
// that is still valid at until. The caller holds s.mu.
func (s *Server) reusableM2M(want M2MToken, now, until time.Time) *M2MToken {
	wantClaims, _ := json.Marshal(want.Claims)
	var best *M2MToken
	for _, t := range s.mach.m2m {
		if t.Subject != want.Subject || t.Revoked || !t.ExpiresAt.After(now) || t.ExpiresAt.Before(until) || !slices.Equal(t.Scopes, want.Scopes) {
			continue
		}
		if c, _ := json.Marshal(t.Claims); string(c) != string(wantClaims) {
			continue
		}
		if best == nil || t.CreatedAt.After(best.CreatedAt) {
			best = t
		}
	}
	return best
}

// M2MToken returns a copy of a stored (opaque) M2M token.
func (s *Server) M2MToken(id string) (M2MToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.mach.m2m[id]
	if !ok {
		return M2MToken{}, false
	}
	return copyM2M(t), true
}

// RevokeM2MToken revokes a stored M2M token; revoking it again keeps the
// first revocation.
func (s *Server) RevokeM2MToken(id, reason string) error {
	_, err := s.revokeM2M(id, reason, "")
	return err
}

// revokeM2M revokes the token; a non-empty owner limits it to tokens that
// machine minted, answering others as unknown.
func (s *Server) revokeM2M(id, reason, owner string) (M2MToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.mach.m2m[id]
	if !ok || (owner != "" && t.Subject != owner) {
		return M2MToken{}, fmt.Errorf("%w: %s", ErrM2MTokenNotFound, id)
	}
	if !t.Revoked {
		t.Revoked, t.RevocationReason, t.UpdatedAt = true, reason, s.now()
	}
	return copyM2M(t), nil
}

// m2mByToken returns the stored token whose bearer value is token.
func (s *Server) m2mByToken(token string) (M2MToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.mach.m2m[s.mach.m2mByToken[token]]
	if !ok {
		return M2MToken{}, false
	}
	return copyM2M(t), true
}

func copyM2M(t *M2MToken) M2MToken {
	out := *t
	out.Scopes = slices.Clone(t.Scopes)
	out.Claims = cloneJSON(t.Claims)
	return out
}

// cloneJSON deep-copies a JSON object built by copyObject or decodeJSON,
// whose values are only maps, slices and immutable scalars.
func cloneJSON(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := maps.Clone(m)
	for k, v := range out {
		out[k] = cloneJSONValue(v)
	}
	return out
}

func cloneJSONValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneJSON(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneJSONValue(e)
		}
		return out
	}
	return v
}
