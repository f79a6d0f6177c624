package clerktest

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Errors returned by the machine and machine-token methods, for errors.Is.
var (
	ErrMachineNotFound    = errors.New("clerktest: machine not found")
	ErrM2MTokenNotFound   = errors.New("clerktest: M2M token not found")
	ErrAPIKeyNotFound     = errors.New("clerktest: API key not found")
	ErrOAuthTokenNotFound = errors.New("clerktest: OAuth access token not found")
)

// defaultMachineTokenTTL is the default_token_ttl Clerk gives a new machine.
const defaultMachineTokenTTL = time.Hour

// Machine is a non-human caller of the instance: a service that mints M2M
// tokens with its own secret key and presents them to the machines it may
// call.
type Machine struct {
	// ID is "mch_" followed by 27 word characters; generated when empty.
	ID string
	// Name defaults to the ID.
	Name string
	// SecretKey authenticates the machine to the Backend API ("Bearer
	// <key>"). It defaults to "ak_" followed by 32 hex digits, the shape
	// of Clerk's machine secret keys; it must differ from the instance's
	// secret key and from every other machine's key.
	SecretKey string
	// Scopes lists the ids of the machines this machine may call. Its M2M
	// tokens carry them, and a machine named here may verify those tokens
	// with its own secret key. Each must already be added.
	Scopes []string
	// DefaultTokenTTL is the lifetime of the machine's M2M tokens when a
	// request sets none: one hour unless set.
	DefaultTokenTTL time.Duration
	CreatedAt       time.Time
}

// machineState holds machines and the three kinds of machine credential.
// Lookups by bearer value use their own maps so a verify never scans.
type machineState struct {
	machines     map[string]*Machine
	m2m          map[string]*M2MToken // opaque tokens by id; JWTs are not stored
	m2mByToken   map[string]string
	apiKeys      map[string]*APIKey
	apiKeyBySec  map[string]string
	oauth        map[string]*OAuthToken // both formats, by id
	oauthByToken map[string]string
}

func newMachineState() machineState {
	return machineState{
		machines:     map[string]*Machine{},
		m2m:          map[string]*M2MToken{},
		m2mByToken:   map[string]string{},
		apiKeys:      map[string]*APIKey{},
		apiKeyBySec:  map[string]string{},
		oauth:        map[string]*OAuthToken{},
		oauthByToken: map[string]string{},
	}
}

// AddMachine stores m, replacing any machine with the same id, and returns
// it with the generated fields filled in.
func (s *Server) AddMachine(m Machine) (Machine, error) {
	if m.ID == "" {
		m.ID = s.ids.id("mch")
	}
	if m.Name == "" {
		m.Name = m.ID
	}
	if m.SecretKey == "" {
		m.SecretKey = "ak_" + s.ids.hex(16)
	}
	if m.DefaultTokenTTL == 0 {
		m.DefaultTokenTTL = defaultMachineTokenTTL
	}
	if m.DefaultTokenTTL < time.Second || m.DefaultTokenTTL > maxExpiresIn*time.Second {
		return Machine{}, fmt.Errorf("clerktest: machine %s: default token TTL %v is outside [1s, 315360000s]", m.ID, m.DefaultTokenTTL)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	m.Scopes = slices.Clone(m.Scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Comparing whole keys here is not a secret check, only a guard
	// against a fixture that would make authentication ambiguous.
	if m.SecretKey == s.secretKey {
		return Machine{}, fmt.Errorf("clerktest: machine %s: secret key equals the instance secret key", m.ID)
	}
	for id, other := range s.mach.machines {
		if id != m.ID && other.SecretKey == m.SecretKey {
			return Machine{}, fmt.Errorf("clerktest: machine %s: secret key already belongs to machine %s", m.ID, id)
		}
	}
	for _, to := range m.Scopes {
		if _, ok := s.mach.machines[to]; !ok && to != m.ID {
			return Machine{}, fmt.Errorf("%w: %s (scope of %s)", ErrMachineNotFound, to, m.ID)
		}
	}
	stored := m
	s.mach.machines[m.ID] = &stored
	return m, nil
}

// Machine returns a copy of the machine's current state.
func (s *Server) Machine(id string) (Machine, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mach.machines[id]
	if !ok {
		return Machine{}, false
	}
	out := *m
	out.Scopes = slices.Clone(m.Scopes)
	return out, true
}

// AddMachineScope lets machine from call machine to: tokens from mints
// afterwards carry to in their scopes. Adding a scope twice is a no-op.
func (s *Server) AddMachineScope(from, to string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mach.machines[from]
	if !ok {
		return fmt.Errorf("%w: %s", ErrMachineNotFound, from)
	}
	if _, ok := s.mach.machines[to]; !ok {
		return fmt.Errorf("%w: %s", ErrMachineNotFound, to)
	}
	if !slices.Contains(m.Scopes, to) {
		m.Scopes = append(m.Scopes, to)
	}
	return nil
}

// machineByKey finds the machine whose secret key is key. Every key is
// compared in constant time, as the instance key is.
func (s *Server) machineByKey(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := ""
	for id, m := range s.mach.machines {
		if subtle.ConstantTimeCompare([]byte(key), []byte(m.SecretKey)) == 1 {
			found = id
		}
	}
	return found, found != ""
}
