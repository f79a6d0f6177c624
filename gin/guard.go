package clerkgin

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/gin-gonic/gin"
)

// RequireAuth lets a request through when it is signed in and meets every
// requirement (with none, being signed in is enough): clerk.Role,
// clerk.Permission, clerk.Feature, clerk.Plan, clerk.Reverification. It
// otherwise aborts the chain with the status and body clerk.Authorize
// gives, byte for byte: 401 {"message":"Unauthorized"} when signed out, 403
// {"message":"Forbidden"} when signed in without a requirement, the bodies
// of Clerk's Next.js examples, and 503 {"message":"Service Unavailable"}
// when Clerk could not be asked, so the caller retries instead of signing
// in again. When only a reverification is missing, the 403 carries Clerk's
// reverification body ({"clerk_error":{…,"reason":"reverification-error",…}}),
// which Clerk's front end (useReverification) reads to ask the user to
// verify again and retry. A machine caller is not signed in: it gets 401
// here (see RequireAuthenticated). A request that Middleware did not see is
// refused with 401 too: failing closed turns a wiring mistake into a
// visible 401 instead of an open door.
//
// It panics, where the guard is built, with the error of
// clerk.CheckRequirements when a requirement can never be met (an empty
// role, a feature with an unknown scope, an unknown reverification preset):
// such a guard would otherwise answer 403 to everyone.
//
//	admin := r.Group("/admin", clerkgin.RequireAuth(clerk.Role("admin")))
//	r.POST("/account/delete", clerkgin.RequireAuth(clerk.Reverification("strict")), deleteAccount)
func RequireAuth(reqs ...clerk.Requirement) gin.HandlerFunc {
	reqs = adapter.Requirements("clerkgin", reqs)
	return func(c *gin.Context) {
		auth, _ := GetAuth(c)
		if ok, status, body := clerk.Authorize(auth, reqs...); !ok {
			abortJSON(c, status, body)
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
			abortJSON(c, status, body)
		}
	}
}

// abortJSON stops the chain and answers body as given. Not
// AbortWithStatusJSON: it re-encodes, and the body must reach a Clerk front
// end exactly as clerk.Authorize wrote it.
func abortJSON(c *gin.Context, status int, body string) {
	c.Abort()
	c.Data(status, "application/json; charset=utf-8", []byte(body))
}
