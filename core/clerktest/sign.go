package clerktest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
)

// signer signs compact JWS with one algorithm and key. Only the fields of
// the algorithm's family are set.
type signer struct {
	alg    string
	rsa    *rsa.PrivateKey
	ec     *ecdsa.PrivateKey
	secret []byte
}

// newSigner builds a template's custom signer from Clerk's representation:
// a PEM private key for RS*/ES*, the raw shared secret for HS*.
func newSigner(alg, key string) (*signer, error) {
	switch alg {
	case "HS256", "HS384", "HS512":
		if key == "" {
			return nil, errors.New("an HMAC signing key must not be empty")
		}
		return &signer{alg: alg, secret: []byte(key)}, nil
	case "RS256", "RS384", "RS512", "ES256", "ES384", "ES512":
	default:
		return nil, fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	block, _ := pem.Decode([]byte(key))
	if block == nil {
		return nil, fmt.Errorf("%s signing key is not PEM", alg)
	}
	var parsed any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		parsed, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("unsupported PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parsing %s signing key: %w", alg, err)
	}
	switch k := parsed.(type) {
	case *rsa.PrivateKey:
		if alg[0] != 'R' {
			return nil, fmt.Errorf("%s needs an EC key, got RSA", alg)
		}
		return &signer{alg: alg, rsa: k}, nil
	case *ecdsa.PrivateKey:
		want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		if want == nil || k.Curve != want {
			return nil, fmt.Errorf("%s needs a key on curve %v", alg, want)
		}
		return &signer{alg: alg, ec: k}, nil
	}
	return nil, fmt.Errorf("%s: unsupported key type %T", alg, parsed)
}

func (s *signer) hash() (crypto.Hash, func() hash.Hash) {
	switch s.alg[2:] {
	case "384":
		return crypto.SHA384, sha512.New384
	case "512":
		return crypto.SHA512, sha512.New
	}
	return crypto.SHA256, sha256.New
}

// sign returns header.claims.signature. Maps marshal with sorted keys, which
// matches the alphabetical order of Clerk's own headers.
func (s *signer) sign(header, claims map[string]any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("encoding JWT header: %w", err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encoding JWT claims: %w", err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	id, newHash := s.hash()
	var sig []byte
	switch {
	case s.secret != nil:
		m := hmac.New(newHash, s.secret)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case s.rsa != nil:
		d := newHash()
		d.Write([]byte(input))
		sig, err = rsa.SignPKCS1v15(nil, s.rsa, id, d.Sum(nil))
	case s.ec != nil:
		d := newHash()
		d.Write([]byte(input))
		rr, ss, e := ecdsa.Sign(rand.Reader, s.ec, d.Sum(nil))
		err = e
		if e == nil {
			// JWS wants fixed-width r||s, not ASN.1.
			size := (s.ec.Curve.Params().BitSize + 7) / 8
			sig = make([]byte, 2*size)
			rr.FillBytes(sig[:size])
			ss.FillBytes(sig[size:])
		}
	default:
		err = errors.New("signer has no key")
	}
	if err != nil {
		return "", fmt.Errorf("signing JWT: %w", err)
	}
	return input + "." + enc.EncodeToString(sig), nil
}
