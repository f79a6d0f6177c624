package clerktest

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// APIKey is a long-lived secret Clerk issued to a user or an organization
// so that their scripts and services can call the application.
type APIKey struct {
	// ID is "ak_" followed by 32 hex digits.
	ID string
	// Secret is the bearer value, "ak_" followed by 32 hex digits.
	Secret string
	// Type is "api_key" unless the creator chose another.
	Type    string
	Subject string // "user_…" or "org_…" (Clerk also allows "mch_…")
	Name    string
	// Description and CreatedBy are "" for null.
	Description string
	CreatedBy   string
	Scopes      []string
	Claims      map[string]any
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// ExpiresAt is the zero time for a key that never expires.
	ExpiresAt        time.Time
	Revoked          bool
	RevocationReason string
}

// CreateAPIKey stores an API key for subject named name, as POST /api_keys
// does. The subject is not checked against Clerk's id pattern, so short
// fixture ids such as "user_1" work.
func (s *Server) CreateAPIKey(subject, name string, opts ...MachineTokenOption) (APIKey, error) {
	cfg, err := machineTokenOptions("an API key", optClaims|optRevoked, opts)
	if err != nil {
		return APIKey{}, err
	}
	if subject == "" || name == "" {
		return APIKey{}, errors.New("clerktest: an API key needs a subject and a name")
	}
	claims, err := copyObject(cfg.claims)
	if err != nil {
		return APIKey{}, fmt.Errorf("clerktest: API key claims: %w", err)
	}
	created, expires := cfg.times(s.now(), 0)
	return s.storeAPIKey(APIKey{
		Type:             "api_key",
		Subject:          subject,
		Name:             name,
		Scopes:           slices.Clone(cfg.scopes),
		Claims:           claims,
		CreatedAt:        created,
		UpdatedAt:        created,
		ExpiresAt:        expires,
		Revoked:          cfg.set&optRevoked != 0,
		RevocationReason: cfg.reason,
	}), nil
}

// storeAPIKey gives k its id and secret and stores a copy.
func (s *Server) storeAPIKey(k APIKey) APIKey {
	k.ID = "ak_" + s.ids.hex(16)
	k.Secret = "ak_" + s.ids.hex(16)
	stored := copyAPIKey(&k)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mach.apiKeys[k.ID] = &stored
	s.mach.apiKeyBySec[k.Secret] = k.ID
	return k
}

// APIKey returns a copy of a stored API key.
func (s *Server) APIKey(id string) (APIKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.mach.apiKeys[id]
	if !ok {
		return APIKey{}, false
	}
	return copyAPIKey(k), true
}

// RevokeAPIKey revokes an API key; revoking it again keeps the first
// revocation.
func (s *Server) RevokeAPIKey(id, reason string) error {
	_, err := s.revokeAPIKey(id, reason)
	return err
}

func (s *Server) revokeAPIKey(id, reason string) (APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.mach.apiKeys[id]
	if !ok {
		return APIKey{}, fmt.Errorf("%w: %s", ErrAPIKeyNotFound, id)
	}
	if !k.Revoked {
		k.Revoked, k.RevocationReason, k.UpdatedAt = true, reason, s.now()
	}
	return copyAPIKey(k), nil
}

// apiKeyBySecret returns the stored key whose secret is secret.
func (s *Server) apiKeyBySecret(secret string) (APIKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.mach.apiKeys[s.mach.apiKeyBySec[secret]]
	if !ok {
		return APIKey{}, false
	}
	return copyAPIKey(k), true
}

func copyAPIKey(k *APIKey) APIKey {
	out := *k
	out.Scopes = slices.Clone(k.Scopes)
	out.Claims = cloneJSON(k.Claims)
	return out
}
