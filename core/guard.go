package clerk

import "net/http"

// Bodies of the answers a guard gives, as Clerk's Next.js examples answer.
const (
	UnauthorizedJSON = `{"message":"Unauthorized"}`
	ForbiddenJSON    = `{"message":"Forbidden"}`
	UnavailableJSON  = `{"message":"Service Unavailable"}`
)

// Authorize decides a guarded request, for RequireAuth in every framework:
// ok when auth is signed in and meets every requirement (with none, being
// signed in is enough); otherwise the status and JSON body to answer, 401
// UnauthorizedJSON for a nil or signed-out Auth (a machine caller
// included), 403 ForbiddenJSON for a signed-in one that lacks a
// requirement, and 503 UnavailableJSON when Clerk could not be asked (the
// caller should retry, not sign in again).
func Authorize(auth *Auth, reqs ...Requirement) (ok bool, status int, body string) {
	switch {
	case auth.transientFailure():
		return false, http.StatusServiceUnavailable, UnavailableJSON
	case !auth.SignedIn():
		return false, http.StatusUnauthorized, UnauthorizedJSON
	case len(reqs) > 0 && !auth.Has(reqs...):
		return false, http.StatusForbidden, ForbiddenJSON
	}
	return true, 0, ""
}

// AuthorizeCaller decides a route for any authenticated caller, machines
// included (a route that accepts machine tokens): ok when auth is
// authenticated; otherwise 401 UnauthorizedJSON, or 503 UnavailableJSON
// when Clerk could not be asked.
func AuthorizeCaller(auth *Auth) (ok bool, status int, body string) {
	switch {
	case auth.Authenticated():
		return true, 0, ""
	case auth.transientFailure():
		return false, http.StatusServiceUnavailable, UnavailableJSON
	}
	return false, http.StatusUnauthorized, UnauthorizedJSON
}

// transientFailure reports an Auth signed out only because Clerk could not
// be asked.
func (a *Auth) transientFailure() bool { return a != nil && a.err != nil && a.err.Reason.transient() }
