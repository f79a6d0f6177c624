package jose

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// MinRSABits refuses keys an attacker could factor; Clerk's are 2048-bit.
const MinRSABits = 2048

// Key is one public key a token may be signed with. Alg, when set, is the
// only algorithm the key may be used with (the JWK's "alg").
type Key struct {
	Pub *rsa.PublicKey
	Alg string
}

// ParsePublicKey reads CLERK_JWT_KEY: a PEM "PUBLIC KEY" block, or the same
// SubjectPublicKeyInfo as bare base64 (how the Clerk dashboard shows it,
// often pasted with its line breaks, or with "\n" escapes from a .env file).
func ParsePublicKey(text string) (*rsa.PublicKey, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, `\n`, "\n"))
	var der []byte
	if block, _ := pem.Decode([]byte(text)); block != nil {
		if block.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("PEM block is %q, want PUBLIC KEY", block.Type)
		}
		der = block.Bytes
	} else {
		compact := strings.Join(strings.Fields(text), "")
		var err error
		if der, err = base64.StdEncoding.DecodeString(compact); err != nil {
			if der, err = base64.RawStdEncoding.DecodeString(compact); err != nil {
				return nil, errors.New("neither PEM nor base64")
			}
		}
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errors.New("not a SubjectPublicKeyInfo")
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return pub, checkRSAKey(pub)
}

// checkRSAKey refuses keys too small to resist factoring and exponents no
// RSA key has.
func checkRSAKey(pub *rsa.PublicKey) error {
	if pub.N.BitLen() < MinRSABits {
		return fmt.Errorf("RSA key has %d bits, fewer than %d", pub.N.BitLen(), MinRSABits)
	}
	if pub.E < 3 || pub.E%2 == 0 {
		return errors.New("RSA public exponent is invalid")
	}
	return nil
}

// jwkSet is the JSON Web Key Set of GET /v1/jwks and the Frontend API's
// /.well-known/jwks.json.
type jwkSet struct {
	Keys []jwk `json:"keys"`
}

type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// ParseJWKS turns a key set into verification keys by kid. Keys this
// verifier cannot use (not RSA, not for signatures, too small, another
// algorithm) are skipped rather than failing the set; a set with no usable
// key at all is an error, so the last good keys stay in service.
func ParseJWKS(body []byte) (map[string]Key, error) {
	var set jwkSet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, errors.New("key set is not JSON")
	}
	keys := make(map[string]Key, len(set.Keys))
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || k.Kid == "" {
			continue
		}
		if k.Alg != "" && HashFor(k.Alg) == 0 {
			continue
		}
		if _, dup := keys[k.Kid]; dup {
			continue // the first wins; a set is not expected to repeat a kid
		}
		pub, err := rsaFromJWK(k.N, k.E)
		if err != nil {
			continue
		}
		keys[k.Kid] = Key{Pub: pub, Alg: k.Alg}
	}
	if len(keys) == 0 {
		return nil, errors.New("key set has no usable RSA signing key")
	}
	return keys, nil
}

func rsaFromJWK(n64, e64 string) (*rsa.PublicKey, error) {
	n, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(n64, "="))
	if err != nil || len(n) == 0 {
		return nil, errors.New("bad modulus")
	}
	e, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(e64, "="))
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("bad exponent")
	}
	var exp int
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
	return pub, checkRSAKey(pub)
}
