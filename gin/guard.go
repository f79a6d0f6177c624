package clerkgin

import (
	"encoding/json"
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/gin-gonic/gin"
)

// RequireAuth lets a request through when it is signed in and meets every
// requirement (with none, being signed in is enough), and otherwise aborts
// the chain as clerk.Authorize decides: 401 {"message":"Unauthorized"} when
// signed out, 403 {"message":"Forbidden"} when signed in without a
// requirement, the bodies of Clerk's Next.js examples, and 503
// {"message":"Service Unavailable"} when Clerk could not be asked, so the
// caller retries instead of signing in again. A machine caller is not
// signed in: it gets 401 here (see RequireAuthenticated). A request that
// Middleware did not see is refused with 401 too: failing closed turns a
// wiring mistake into a visible 401 instead of an open door.
//
//	admin := r.Group("/admin", clerkgin.RequireAuth(clerk.Role("admin")))
func RequireAuth(reqs ...clerk.Requirement) gin.HandlerFunc {
	// A copy, so a caller reusing its slice cannot change a live guard.
	reqs = slices.Clone(reqs)
	return func(c *gin.Context) {
		auth, _ := GetAuth(c)
		if ok, status, body := clerk.Authorize(auth, reqs...); !ok {
			// AbortWithStatusJSON is gin's idiom for refusing; RawMessage
			// sends Authorize's body as it is.
			c.AbortWithStatusJSON(status, json.RawMessage(body))
		}
	}
}

// RequireAuthenticated lets a request through when it carries a valid
// token of a kind its Middleware accepts, a machine caller's included (see
// AcceptsToken), and otherwise aborts the chain as clerk.AuthorizeCaller
// decides: 401 {"message":"Unauthorized"}, or 503 {"message":"Service
// Unavailable"} when Clerk could not be asked to verify the token. Like
// RequireAuth it refuses a request that Middleware did not see.
//
//	r.GET("/api/jobs", clerkgin.Middleware(authn, clerkgin.AcceptsToken(clerk.TokenTypeM2MToken)),
//		clerkgin.RequireAuthenticated(), jobs)
func RequireAuthenticated() gin.HandlerFunc {
	return func(c *gin.Context) {
		auth, _ := GetAuth(c)
		if ok, status, body := clerk.AuthorizeCaller(auth); !ok {
			c.AbortWithStatusJSON(status, json.RawMessage(body))
		}
	}
}
