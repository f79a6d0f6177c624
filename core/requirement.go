package clerk

import (
	"errors"
	"strconv"
	"strings"
)

// A Requirement is one thing a signed-in user must have for a route: an
// organization role or permission, a feature or plan, or a recent enough
// verification. Auth.Has checks requirements, and every RequireAuth takes
// them, so a guard is one line:
//
//	r.GET("/admin", clerkgin.RequireAuth(clerk.Role("admin")), handler)
//
// Requirements are comparable values. One that can never be met (an empty
// role, a feature with an unknown scope, an unknown reverification preset)
// has a non-nil Err, and RequireAuth refuses it where the guard is built;
// Has treats it as unmet. The zero Requirement is never met.
type Requirement struct {
	kind    requirementKind
	value   string // role, permission, feature or plan as given
	level   ReverificationLevel
	minutes int // reverification: the factor must be younger than this
}

type requirementKind uint8

const (
	requireNothing requirementKind = iota // the zero value: never met
	requireRole
	requirePermission
	requireFeature
	requirePlan
	requireReverification
)

// ReverificationLevel names the factors a reverification asks for, as in
// Clerk's SDKs.
type ReverificationLevel string

// Reverification levels.
const (
	FirstFactor  ReverificationLevel = "first_factor"
	SecondFactor ReverificationLevel = "second_factor"
	MultiFactor  ReverificationLevel = "multi_factor"
)

// Role requires the active organization role, as has({role}) in Clerk's
// SDKs: "admin" and "org:admin" are the same role.
func Role(role string) Requirement { return Requirement{kind: requireRole, value: role} }

// Permission requires an organization permission, as has({permission}) in
// Clerk's SDKs: "memberships:manage" reads as "org:memberships:manage".
func Permission(permission string) Requirement {
	return Requirement{kind: requirePermission, value: permission}
}

// Feature requires a feature of the user's or the organization's plan, as
// has({feature}) in Clerk's SDKs, read from the token's fea claim: "export"
// in either scope, "org:export" ("o:", "organization:") in the
// organization's, "user:export" ("u:") in the user's.
func Feature(feature string) Requirement { return Requirement{kind: requireFeature, value: feature} }

// Plan requires a plan, as has({plan}), read from the token's pla claim,
// with the same optional scope as Feature.
func Plan(plan string) Requirement { return Requirement{kind: requirePlan, value: plan} }

// Reverification requires that the user verified recently, by one of
// Clerk's presets: "strict_mfa" (multi-factor within 10 minutes), "strict"
// (second factor within 10 minutes), "moderate" (within an hour) and "lax"
// (within a day). A guard that finds the verification too old answers 403
// with the body Clerk's front end reads to prompt the user (see Authorize).
func Reverification(preset string) Requirement {
	r := Requirement{kind: requireReverification, value: preset}
	switch preset {
	case "strict_mfa":
		r.level, r.minutes = MultiFactor, 10
	case "strict":
		r.level, r.minutes = SecondFactor, 10
	case "moderate":
		r.level, r.minutes = SecondFactor, 60
	case "lax":
		r.level, r.minutes = SecondFactor, 1440
	}
	return r
}

// ReverificationAfter requires that the factors of level were verified
// less than afterMinutes ago, as has({reverification: {level,
// afterMinutes}}).
func ReverificationAfter(level ReverificationLevel, afterMinutes int) Requirement {
	return Requirement{kind: requireReverification, level: level, minutes: afterMinutes}
}

// Err says why the requirement can never be met, or nil.
func (r Requirement) Err() error {
	switch r.kind {
	case requireNothing:
		return errors.New("clerk: the zero Requirement is never met")
	case requireRole, requirePermission:
		if r.value == "" || withOrgPrefix(r.value) == "org:" {
			return errors.New("clerk: " + r.kindName() + " must not be empty")
		}
	case requireFeature, requirePlan:
		if r.value == "" {
			return errors.New("clerk: " + r.kindName() + " must not be empty")
		}
		if scope, _, explicit := strings.Cut(r.value, ":"); explicit && scopeOf(scope) == scopeUnknown {
			return errors.New("clerk: " + r.kindName() + " " + strconv.Quote(r.value) + " has an unknown scope (want o, org, organization, u or user)")
		}
	case requireReverification:
		switch {
		case r.level == "" && r.value != "":
			return errors.New("clerk: unknown reverification preset " + strconv.Quote(r.value) + " (want strict_mfa, strict, moderate or lax)")
		case r.level != FirstFactor && r.level != SecondFactor && r.level != MultiFactor:
			return errors.New("clerk: unknown reverification level " + strconv.Quote(string(r.level)))
		case r.minutes <= 0:
			return errors.New("clerk: reverification afterMinutes must be positive")
		}
	}
	return nil
}

// String names the requirement, for logs.
func (r Requirement) String() string {
	switch r.kind {
	case requireRole, requirePermission:
		return r.kindName() + " " + withOrgPrefix(r.value)
	case requireFeature, requirePlan:
		return r.kindName() + " " + r.value
	case requireReverification:
		return "reverification " + string(r.level) + " within " + strconv.Itoa(r.minutes) + " minutes"
	}
	return "nothing (zero Requirement)"
}

func (r Requirement) kindName() string {
	return [...]string{"nothing", "role", "permission", "feature", "plan", "reverification"}[r.kind]
}

// Has reports whether the signed-in user meets every requirement, with the
// semantics of has() in Clerk's SDKs: at least one requirement must be
// asked, each one must pass, a missing user fails, roles and permissions
// need an active organization, and anything missing or malformed in the
// token fails closed. A signed-out Auth, or a machine caller, has nothing.
func (a *Auth) Has(reqs ...Requirement) bool {
	if !a.SignedIn() || a.claims.sub == "" || len(reqs) == 0 {
		return false
	}
	for _, r := range reqs {
		if !a.meets(r) {
			return false
		}
	}
	return true
}

func (a *Auth) meets(r Requirement) bool {
	switch r.kind {
	case requireRole:
		// Equal once both have exactly one "org:" prefix.
		return r.value != "" && a.OrgID() != "" && a.orgRole != "" && trimOrg(a.orgRole) == trimOrg(r.value)
	case requirePermission:
		if r.value == "" || a.OrgID() == "" {
			return false
		}
		want := trimOrg(r.value) // the list must hold "org:" + want, exactly
		for _, p := range a.orgPermissions {
			if len(p) == len("org:")+len(want) && strings.HasPrefix(p, "org:") && p[len("org:"):] == want {
				return true
			}
		}
		return false
	case requireFeature:
		return r.value != "" && entitled(a.claims.fea, r.value)
	case requirePlan:
		return r.value != "" && entitled(a.claims.pla, r.value)
	case requireReverification:
		return r.Err() == nil && a.claims.hasFVA && freshEnough(a.claims.fva, r.level, int64(r.minutes))
	}
	return false
}

// withOrgPrefix gives value exactly one leading "org:", however many it had.
func withOrgPrefix(value string) string { return "org:" + trimOrg(value) }

// trimOrg drops every leading "org:".
func trimOrg(value string) string {
	for strings.HasPrefix(value, "org:") {
		value = value[len("org:"):]
	}
	return value
}
