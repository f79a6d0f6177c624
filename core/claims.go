package clerk

import (
	"math"
	"strconv"
	"strings"
)

// sessionClaims are the claims of a Clerk session token (versions 1 and 2)
// that this package reads. Times are Unix milliseconds because Clerk
// compares them at that precision.
type sessionClaims struct {
	sub, sid, iss, azp, jti, sts string
	version                      int64

	exp, nbf, iat          int64
	hasExp, hasNbf, hasIat bool

	fva    [2]int64
	hasFVA bool

	// Organization: v2 "o" {id, slg, rol, per, fpm}; v1 used flat
	// org_* claims. Which one counts depends on v, decided in newAuth.
	org                           orgClaim
	v1OrgID, v1OrgSlug, v1OrgRole string
	v1Permissions                 []string
	fea, pla                      string

	actor    Actor
	hasActor bool

	// badClaim names the first known claim with the wrong JSON type. It is
	// reported only after the signature is checked: before that, nothing a
	// claim says is worth an answer.
	badClaim string
}

// orgClaim is the v2 "o" claim: the active organization.
type orgClaim struct {
	id, slg, rol string
	per, fpm     string // comma lists, decoded by orgPermissionsV2
}

// parseClaims reads the claims object. It fails only on malformed JSON;
// claims of the wrong type are recorded in badClaim.
func parseClaims(text string, c *sessionClaims) error {
	sc := jsonScanner{s: text}
	err := sc.object(1, func(name string) error {
		kind, raw, err := sc.next(1)
		if err != nil || kind == jsonNull {
			return err // null is treated as absent, as Clerk's SDKs do
		}
		if !c.read(name, kind, raw) && c.badClaim == "" {
			c.badClaim = name
		}
		return nil
	})
	if err == nil && !sc.atEnd() {
		err = errJSONSyntax
	}
	return err
}

// read stores one top-level claim, reporting false when its type is wrong.
func (c *sessionClaims) read(name string, kind jsonKind, raw string) bool {
	switch name {
	case "sub":
		return readString(kind, raw, &c.sub)
	case "sid":
		return readString(kind, raw, &c.sid)
	case "iss":
		return readString(kind, raw, &c.iss)
	case "azp":
		return readString(kind, raw, &c.azp)
	case "jti":
		return readString(kind, raw, &c.jti)
	case "sts":
		return readString(kind, raw, &c.sts)
	case "fea":
		return readString(kind, raw, &c.fea)
	case "pla":
		return readString(kind, raw, &c.pla)
	case "v":
		ms, ok := readMillis(kind, raw)
		c.version = ms / 1000
		return ok && ms%1000 == 0
	case "exp":
		c.hasExp = true
		return readTime(kind, raw, &c.exp)
	case "nbf":
		c.hasNbf = true
		return readTime(kind, raw, &c.nbf)
	case "iat":
		c.hasIat = true
		return readTime(kind, raw, &c.iat)
	case "fva":
		c.hasFVA = true
		return kind == jsonArray && readFVA(raw, &c.fva)
	case "o":
		return kind == jsonObject && c.readOrg(raw)
	case "act":
		c.hasActor = true
		return kind == jsonObject && readActor(raw, &c.actor)
	case "org_id":
		return readString(kind, raw, &c.v1OrgID)
	case "org_slug":
		return readString(kind, raw, &c.v1OrgSlug)
	case "org_role":
		return readString(kind, raw, &c.v1OrgRole)
	case "org_permissions":
		return kind == jsonArray && readStrings(raw, &c.v1Permissions)
	}
	return true // unknown claims are the caller's, via DecodeClaims
}

// readOrg reads the v2 "o" claim. Its role has no "org:" prefix; Auth adds
// it.
func (c *sessionClaims) readOrg(raw string) bool {
	ok := true
	sc := jsonScanner{s: raw}
	err := sc.object(2, func(name string) error {
		kind, v, err := sc.next(2)
		if err != nil || kind == jsonNull {
			return err
		}
		var dst *string
		switch name {
		case "id":
			dst = &c.org.id
		case "slg":
			dst = &c.org.slg
		case "rol":
			dst = &c.org.rol
		case "per":
			dst = &c.org.per
		case "fpm":
			dst = &c.org.fpm
		default:
			return nil
		}
		ok = readString(kind, v, dst) && ok
		return nil
	})
	return err == nil && ok
}

func readActor(raw string, a *Actor) bool {
	ok := true
	sc := jsonScanner{s: raw}
	err := sc.object(2, func(name string) error {
		kind, v, err := sc.next(2)
		if err != nil || kind == jsonNull {
			return err
		}
		switch name {
		case "iss":
			ok = readString(kind, v, &a.Issuer) && ok
		case "sid":
			ok = readString(kind, v, &a.SessionID) && ok
		case "sub":
			ok = readString(kind, v, &a.Subject) && ok
		}
		return nil
	})
	return err == nil && ok
}

func readFVA(raw string, fva *[2]int64) bool {
	n, ok := 0, true
	sc := jsonScanner{s: raw}
	err := sc.array(2, func() error {
		kind, v, err := sc.next(2)
		if err != nil {
			return err
		}
		ms, good := readMillis(kind, v)
		if !good || ms%1000 != 0 || n >= 2 {
			ok = false
		} else {
			fva[n] = ms / 1000
		}
		n++
		return nil
	})
	return err == nil && ok && n == 2
}

func readStrings(raw string, dst *[]string) bool {
	ok := true
	sc := jsonScanner{s: raw}
	err := sc.array(2, func() error {
		kind, v, err := sc.next(2)
		if err != nil {
			return err
		}
		var s string
		if readString(kind, v, &s) {
			*dst = append(*dst, s)
		} else {
			ok = false
		}
		return nil
	})
	return err == nil && ok
}

func readString(kind jsonKind, raw string, dst *string) bool {
	if kind != jsonString {
		return false
	}
	*dst = jsonStringContent(raw, strings.IndexByte(raw, '\\') >= 0)
	return true
}

func readTime(kind jsonKind, raw string, dst *int64) bool {
	ms, ok := readMillis(kind, raw)
	*dst = ms
	return ok
}

// maxSeconds keeps times far from int64 overflow once in milliseconds (the
// year 300 000 or so; no real token comes close).
const maxSeconds = 1e13

// readMillis converts a JSON number of seconds (NumericDate, RFC 7519: a
// fraction is allowed) to milliseconds.
func readMillis(kind jsonKind, raw string) (int64, bool) {
	if kind != jsonNumber {
		return 0, false
	}
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		if n > maxSeconds || n < -maxSeconds {
			return 0, false
		}
		return n * 1000, true
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || f > maxSeconds || f < -maxSeconds {
		return 0, false
	}
	return int64(math.Floor(f * 1000)), true
}
