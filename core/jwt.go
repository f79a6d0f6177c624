package clerk

import (
	"encoding/base64"
	"strings"
)

// strictBase64URL refuses padding, and bits set past the last byte, so a
// token has exactly one spelling: a re-encoded token cannot slip past the
// verified-token cache or a deny list as a "different" string. It is
// configuration, never written after initialisation.
var strictBase64URL = base64.RawURLEncoding.Strict()

// jwtParts is a compact JWS split and decoded. Nothing in it is trusted
// until the signature has been checked.
type jwtParts struct {
	header       tokenHeader
	claims       sessionClaims
	payload      string // decoded claims JSON
	signingInput string // "<header>.<payload>" as sent, what the signature covers
	signature    []byte
}

// tokenHeader holds the JOSE header parameters this package acts on.
type tokenHeader struct {
	alg, kid, typ, cat string
	hasKid, hasTyp     bool
}

// parseJWT splits the token, decodes its three parts strictly and parses
// header and claims. Every failure here is ReasonTokenInvalid (or the
// algorithm reason when alg is absent): the form is wrong, whoever signed it.
func parseJWT(token string, p *jwtParts) *AuthError {
	dot1, dot2, ok := splitCompact(token)
	if !ok {
		return authErr(ReasonTokenInvalid, "not three base64url parts")
	}
	h64, c64, s64 := token[:dot1], token[dot1+1:dot2], token[dot2+1:]
	hLen, cLen := decodedLen(len(h64)), decodedLen(len(c64))
	// One buffer for the three parts, then one string for header and claims
	// so that claim values can be substrings of it.
	buf := make([]byte, hLen+cLen+decodedLen(len(s64)))
	if !decodeExact(buf[:hLen], h64) || !decodeExact(buf[hLen:hLen+cLen], c64) ||
		!decodeExact(buf[hLen+cLen:], s64) {
		return authErr(ReasonTokenInvalid, "invalid base64url")
	}
	text := string(buf[:hLen+cLen])
	p.signingInput = token[:dot2]
	p.signature = buf[hLen+cLen:]
	p.payload = text[hLen:]
	if err := parseHeader(text[:hLen], &p.header); err != nil {
		return err
	}
	if err := parseClaims(p.payload, &p.claims); err != nil {
		return authErr(ReasonTokenInvalid, "claims: "+err.Error())
	}
	return nil
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
// extensions this verifier does not have.
func parseHeader(text string, h *tokenHeader) *AuthError {
	sc := jsonScanner{s: text}
	bad := ""
	err := sc.object(1, func(name string) error {
		kind, raw, err := sc.next(1)
		if err != nil {
			return err
		}
		var dst *string
		switch name {
		case "alg":
			dst = &h.alg
		case "kid":
			dst, h.hasKid = &h.kid, true
		case "typ":
			dst, h.hasTyp = &h.typ, true
		case "cat":
			dst = &h.cat
		case "crit":
			bad = "crit header parameter is not supported"
			return nil
		default:
			return nil
		}
		if kind != jsonString {
			bad = "header parameter " + name + " is not a string"
			return nil
		}
		*dst = jsonStringContent(raw, strings.IndexByte(raw, '\\') >= 0)
		return nil
	})
	if err == nil && !sc.atEnd() {
		err = errJSONSyntax
	}
	switch {
	case err != nil:
		return authErr(ReasonTokenInvalid, "header: "+err.Error())
	case bad != "":
		return authErr(ReasonTokenInvalid, bad)
	}
	return nil
}

// atEnd reports whether only white space is left: anything after the
// top-level value is trailing data and refused.
func (sc *jsonScanner) atEnd() bool {
	sc.skipSpace()
	return sc.pos == len(sc.s)
}
