package clerk

import (
	"github.com/clerkkit/clerkkit/core/internal/jose"
	"github.com/clerkkit/clerkkit/core/internal/strictjson"
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
	return scanClaims(text, c.read, &c.badClaim)
}

// scanClaims reads a claims object strictly, handing each member that is
// not null to read; the first member read refuses is named in badClaim. It
// fails only on malformed JSON: null is treated as absent, as Clerk's SDKs
// do.
func scanClaims(text string, read func(name string, kind strictjson.Kind, raw string) bool, badClaim *string) error {
	sc := strictjson.NewScanner(text)
	err := sc.Object(1, func(name string) error {
		kind, raw, err := sc.Next(1)
		if err != nil || kind == strictjson.Null {
			return err
		}
		if !read(name, kind, raw) && *badClaim == "" {
			*badClaim = name
		}
		return nil
	})
	if err == nil && !sc.AtEnd() {
		err = strictjson.ErrSyntax
	}
	return err
}

// read stores one top-level claim, reporting false when its type is wrong.
func (c *sessionClaims) read(name string, kind strictjson.Kind, raw string) bool {
	switch name {
	case "sub":
		return strictjson.ReadString(kind, raw, &c.sub)
	case "sid":
		return strictjson.ReadString(kind, raw, &c.sid)
	case "iss":
		return strictjson.ReadString(kind, raw, &c.iss)
	case "azp":
		return strictjson.ReadString(kind, raw, &c.azp)
	case "jti":
		return strictjson.ReadString(kind, raw, &c.jti)
	case "sts":
		return strictjson.ReadString(kind, raw, &c.sts)
	case "fea":
		return strictjson.ReadString(kind, raw, &c.fea)
	case "pla":
		return strictjson.ReadString(kind, raw, &c.pla)
	case "v":
		ms, ok := jose.NumericDateMillis(kind, raw)
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
		return kind == strictjson.Array && readFVA(raw, &c.fva)
	case "o":
		return kind == strictjson.Object && c.readOrg(raw)
	case "act":
		c.hasActor = true
		return kind == strictjson.Object && readActor(raw, &c.actor)
	case "org_id":
		return strictjson.ReadString(kind, raw, &c.v1OrgID)
	case "org_slug":
		return strictjson.ReadString(kind, raw, &c.v1OrgSlug)
	case "org_role":
		return strictjson.ReadString(kind, raw, &c.v1OrgRole)
	case "org_permissions":
		return strictjson.ReadStrings(kind, raw, &c.v1Permissions)
	}
	return true // unknown claims are the caller's, via DecodeClaims
}

// readOrg reads the v2 "o" claim. Its role has no "org:" prefix; Auth adds
// it.
func (c *sessionClaims) readOrg(raw string) bool {
	ok := true
	sc := strictjson.NewScanner(raw)
	err := sc.Object(2, func(name string) error {
		kind, v, err := sc.Next(2)
		if err != nil || kind == strictjson.Null {
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
		ok = strictjson.ReadString(kind, v, dst) && ok
		return nil
	})
	return err == nil && ok
}

func readActor(raw string, a *Actor) bool {
	ok := true
	sc := strictjson.NewScanner(raw)
	err := sc.Object(2, func(name string) error {
		kind, v, err := sc.Next(2)
		if err != nil || kind == strictjson.Null {
			return err
		}
		switch name {
		case "iss":
			ok = strictjson.ReadString(kind, v, &a.Issuer) && ok
		case "sid":
			ok = strictjson.ReadString(kind, v, &a.SessionID) && ok
		case "sub":
			ok = strictjson.ReadString(kind, v, &a.Subject) && ok
		}
		return nil
	})
	return err == nil && ok
}

func readFVA(raw string, fva *[2]int64) bool {
	n, ok := 0, true
	sc := strictjson.NewScanner(raw)
	err := sc.Array(2, func() error {
		kind, v, err := sc.Next(2)
		if err != nil {
			return err
		}
		ms, good := jose.NumericDateMillis(kind, v)
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

// readTime stores a NumericDate claim in milliseconds.
func readTime(kind strictjson.Kind, raw string, dst *int64) bool {
	ms, ok := jose.NumericDateMillis(kind, raw)
	*dst = ms
	return ok
}
