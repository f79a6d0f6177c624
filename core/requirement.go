package clerk

import (
	"slices"
	"strings"
)

// A Requirement is one thing a signed-in user must have for a route: an
// organization role or permission. Auth.Has checks requirements, and every
// adapter's RequireAuth takes them, so a guard is one line:
//
//	r.GET("/admin", clerkgin.RequireAuth(clerk.Role("admin")), handler)
//
// Requirements are comparable values; the zero Requirement is never met.
type Requirement struct {
	kind  requirementKind
	value string
}

type requirementKind uint8

const (
	requireNothing requirementKind = iota // the zero value: never met
	requireRole
	requirePermission
)

// Role requires the active organization role, as has({role}) in Clerk's
// SDKs: "admin" and "org:admin" are the same role.
func Role(role string) Requirement { return Requirement{kind: requireRole, value: role} }

// Permission requires an organization permission, as has({permission}) in
// Clerk's SDKs: "memberships:manage" reads as "org:memberships:manage".
func Permission(permission string) Requirement {
	return Requirement{kind: requirePermission, value: permission}
}

// String names the requirement, for logs.
func (r Requirement) String() string {
	switch r.kind {
	case requireRole:
		return "role " + withOrgPrefix(r.value)
	case requirePermission:
		return "permission " + withOrgPrefix(r.value)
	}
	return "nothing (zero Requirement)"
}

// Has reports whether the signed-in user meets every requirement, with the
// semantics of has() in Clerk's SDKs: at least one requirement must be
// asked, each one must pass, roles and permissions need an active
// organization, and the "org:" prefix is optional on either side. A
// signed-out Auth has nothing.
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
		return a.OrgID() != "" && a.orgRole != "" && withOrgPrefix(a.orgRole) == withOrgPrefix(r.value)
	case requirePermission:
		return a.OrgID() != "" && slices.Contains(a.orgPermissions, withOrgPrefix(r.value))
	}
	return false
}

// withOrgPrefix gives value exactly one leading "org:", however many it had.
func withOrgPrefix(value string) string {
	for strings.HasPrefix(value, "org:") {
		value = value[len("org:"):]
	}
	return "org:" + value
}
