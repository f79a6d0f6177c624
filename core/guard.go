package clerk

import (
	"net/http"
	"strconv"
)

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
//
// When every other requirement is met and only a reverification is not,
// the 403's body is the one Clerk's front end reads to ask the user to
// verify again and retry (useReverification):
//
//	{"clerk_error":{"type":"forbidden","reason":"reverification-error",
//	 "metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
func Authorize(auth *Auth, reqs ...Requirement) (ok bool, status int, body string) {
	switch {
	case auth.transientFailure():
		return false, http.StatusServiceUnavailable, UnavailableJSON
	case !auth.SignedIn():
		return false, http.StatusUnauthorized, UnauthorizedJSON
	case len(reqs) == 0 || auth.Has(reqs...):
		return true, 0, ""
	}
	var stale *Requirement
	for i := range reqs {
		if reqs[i].kind == requireReverification && reqs[i].Err() == nil {
			if !auth.meets(reqs[i]) && stale == nil {
				stale = &reqs[i]
			}
		} else if !auth.meets(reqs[i]) {
			return false, http.StatusForbidden, ForbiddenJSON
		}
	}
	if stale == nil {
		return false, http.StatusForbidden, ForbiddenJSON
	}
	return false, http.StatusForbidden, reverificationBody(*stale)
}

// reverificationBody is Clerk's reverification hint for r.
func reverificationBody(r Requirement) string {
	return `{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"` +
		string(r.level) + `","afterMinutes":` + strconv.Itoa(r.minutes) + `}}}}`
}

// CheckRequirements returns the first requirement's error that can never
// be met, for guards to refuse where they are built rather than answer
// 403 to every request.
func CheckRequirements(reqs ...Requirement) error {
	for _, r := range reqs {
		if err := r.Err(); err != nil {
			return err
		}
	}
	return nil
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
