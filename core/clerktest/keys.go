package clerktest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
)

// signingKey is one instance key: the current signer or an older key kept in
// the JWKS so tokens it signed still verify during a rotation.
type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

func generateRSAKey() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		// Only a broken platform RNG gets here; like httptest's listen
		// failure there is nothing a caller could do with an error.
		panic(fmt.Sprintf("clerktest: generating RSA key: %v", err))
	}
	return key
}

// KeyID returns the kid of the current signing key.
func (s *Server) KeyID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current.kid
}

// PublicKeyPEM returns the current signing key's public half as a PKIX
// "PUBLIC KEY" PEM block: the value Clerk shows as CLERK_JWT_KEY.
func (s *Server) PublicKeyPEM() string {
	s.mu.Lock()
	key := s.current.key
	s.mu.Unlock()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		panic(fmt.Sprintf("clerktest: encoding public key: %v", err)) // RSA keys always encode
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// jwk is one RSA key in the order Clerk serves its fields.
type jwk struct {
	Use string `json:"use"`
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS returns the JSON document served at /v1/jwks and
// /.well-known/jwks.json: every key that has not been retired.
func (s *Server) JWKS() []byte {
	s.mu.Lock()
	keys := append([]*signingKey(nil), s.keys...)
	s.mu.Unlock()
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, jwk{
			Use: "sig",
			Kty: "RSA",
			Kid: k.kid,
			Alg: "RS256",
			N:   base64.RawURLEncoding.EncodeToString(k.key.N.Bytes()),
			E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.key.E)).Bytes()),
		})
	}
	b, err := json.Marshal(set)
	if err != nil {
		panic(fmt.Sprintf("clerktest: encoding JWKS: %v", err)) // plain strings always encode
	}
	return b
}

// RotateKey generates a new RSA-2048 key, makes it the signer and keeps the
// previous keys in the JWKS until RetireKey removes them, which is how a
// real rotation looks to verifiers. It returns the new kid.
func (s *Server) RotateKey() string {
	kid := s.ids.id("ins")
	if err := s.RotateKeyTo(generateRSAKey(), kid); err != nil {
		panic(err) // a fresh random kid cannot collide in practice
	}
	return kid
}

// RotateKeyTo is RotateKey with a caller-chosen key and kid, for
// deterministic tests.
func (s *Server) RotateKeyTo(key *rsa.PrivateKey, kid string) error {
	if key == nil || kid == "" {
		return errors.New("clerktest: RotateKeyTo needs a key and a kid")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.kid == kid {
			return fmt.Errorf("clerktest: key id %q is already in use", kid)
		}
	}
	k := &signingKey{kid: kid, key: key}
	s.keys = append(s.keys, k)
	s.current = k
	return nil
}

// RetireKey removes a non-current key from the JWKS, so tokens it signed no
// longer verify. The current signer cannot be retired: rotate first.
func (s *Server) RetireKey(kid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current.kid == kid {
		return fmt.Errorf("clerktest: key %q is the current signer; rotate before retiring it", kid)
	}
	for i, k := range s.keys {
		if k.kid == kid {
			s.keys = append(s.keys[:i:i], s.keys[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("clerktest: no key with id %q", kid)
}
