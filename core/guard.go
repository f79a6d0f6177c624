package clerk

import "net/http"

// Bodies of the answers a guard gives, as Clerk's Next.js examples answer.
const (
	UnauthorizedJSON = `{"message":"Unauthorized"}`
	ForbiddenJSON    = `{"message":"Forbidden"}`
)

// Authorize decides a guarded request, for RequireAuth in every framework:
// ok when auth is signed in and meets every requirement (with none, being
// signed in is enough); otherwise the status and JSON body to answer, 401
// UnauthorizedJSON for a nil or signed-out Auth and 403 ForbiddenJSON for
// a signed-in one that lacks a requirement.
func Authorize(auth *Auth, reqs ...Requirement) (ok bool, status int, body string) {
	switch {
	case !auth.SignedIn():
		return false, http.StatusUnauthorized, UnauthorizedJSON
	case len(reqs) > 0 && !auth.Has(reqs...):
		return false, http.StatusForbidden, ForbiddenJSON
	}
	return true, 0, ""
}
