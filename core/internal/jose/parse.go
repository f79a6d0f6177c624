package jose

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/clerkkit/clerkkit/core/internal/strictjson"
)

// strictBase64URL refuses padding, and bits set past the last byte, so a
// token has exactly one spelling: a re-encoded token cannot slip past the
// verified-token cache or a deny list as a "different" string. It is
// configuration, never written after initialisation.
var strictBase64URL = base64.RawURLEncoding.Strict()

// Errors of Parse. Their texts are the refusal details callers report, so
// they name the fault, never the token's content.
var (
	ErrNotCompact = errors.New("not three base64url parts")
	ErrBase64     = errors.New("invalid base64url")
	ErrCrit       = errors.New("crit header parameter is not supported")
)

// Parts is a compact JWS split and decoded. Nothing in it is trusted until
// the signature has been checked.
type Parts struct {
	Header       Header
	Payload      string // decoded payload, the claims JSON of a JWT; not validated
	SigningInput string // "<header>.<payload>" as sent, what the signature covers
	Signature    []byte
}

// Header holds the JOSE header parameters Clerk's tokens use. HasKid and
// HasTyp tell an absent parameter from an empty one.
type Header struct {
	Alg, Kid, Typ, Cat string
	HasKid, HasTyp     bool
}

// Parse splits the token, decodes its three parts strictly and parses the
// header. The payload is returned as text for the caller's claims reader.
// Every error means the form is wrong, whoever signed the token.
func Parse(token string) (Parts, error) {
	dot1, dot2, ok := splitCompact(token)
	if !ok {
		return Parts{}, ErrNotCompact
	}
	h64, c64, s64 := token[:dot1], token[dot1+1:dot2], token[dot2+1:]
	hLen, cLen := decodedLen(len(h64)), decodedLen(len(c64))
	// One buffer for the three parts, then one string for header and
	// payload so that claim values can be substrings of it.
	buf := make([]byte, hLen+cLen+decodedLen(len(s64)))
	if !decodeExact(buf[:hLen], h64) || !decodeExact(buf[hLen:hLen+cLen], c64) ||
		!decodeExact(buf[hLen+cLen:], s64) {
		return Parts{}, ErrBase64
	}
	text := string(buf[:hLen+cLen])
	p := Parts{Payload: text[hLen:], SigningInput: token[:dot2], Signature: buf[hLen+cLen:]}
	if err := parseHeader(text[:hLen], &p.Header); err != nil {
		return Parts{}, err
	}
	return p, nil
}

// splitCompact finds the two dots of a compact JWS and checks that every
// other byte is in the base64url alphabet. The standard decoder skips CR and
// LF; checking the alphabet first means no byte is ever ignored.
func splitCompact(token string) (dot1, dot2 int, ok bool) {
	dot1, dot2 = -1, -1
	for i := 0; i < len(token); i++ {
		c := token[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.' && dot1 < 0:
			dot1 = i
		case c == '.' && dot2 < 0:
			dot2 = i
		default:
			return 0, 0, false
		}
	}
	ok = dot1 > 0 && dot2 > dot1+1 && dot2 < len(token)-1
	return dot1, dot2, ok
}

func decodedLen(n int) int { return strictBase64URL.DecodedLen(n) }

// decodeExact decodes src into dst and requires that it fills dst exactly.
func decodeExact(dst []byte, src string) bool {
	n, err := strictBase64URL.Decode(dst, []byte(src))
	return err == nil && n == len(dst)
}

// parseHeader reads the JOSE header. Unknown parameters are tolerated (Clerk
// may add some), except "crit", which by RFC 7515 demands support for
// extensions this verifier does not have. A malformed header is reported
// before a parameter of the wrong type, whichever comes first in the text.
func parseHeader(text string, h *Header) error {
	sc := strictjson.NewScanner(text)
	var bad error
	err := sc.Object(1, func(name string) error {
		kind, raw, err := sc.Next(1)
		if err != nil {
			return err
		}
		var dst *string
		switch name {
		case "alg":
			dst = &h.Alg
		case "kid":
			dst, h.HasKid = &h.Kid, true
		case "typ":
			dst, h.HasTyp = &h.Typ, true
		case "cat":
			dst = &h.Cat
		case "crit":
			bad = ErrCrit
			return nil
		default:
			return nil
		}
		if kind != strictjson.String {
			bad = fmt.Errorf("header parameter %s is not a string", name)
			return nil
		}
		*dst = strictjson.StringContent(raw)
		return nil
	})
	if err == nil && !sc.AtEnd() {
		err = strictjson.ErrSyntax
	}
	switch {
	case err != nil:
		return fmt.Errorf("header: %w", err)
	case bad != nil:
		return bad
	}
	return nil
}
