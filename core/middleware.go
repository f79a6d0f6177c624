package clerk

import (
	"context"
	"io"
	"net/http"
	"slices"
)

type authContextKey struct{}

// ContextWithAuth returns a copy of ctx carrying auth.
func ContextWithAuth(ctx context.Context, auth *Auth) context.Context {
	return context.WithValue(ctx, authContextKey{}, auth)
}

// AuthFromContext returns the Auth a middleware attached. ok is false when
// none ran, which is a wiring mistake, not a signed-out request: a
// signed-out request has an Auth whose SignedIn is false.
func AuthFromContext(ctx context.Context) (auth *Auth, ok bool) {
	auth, ok = ctx.Value(authContextKey{}).(*Auth)
	return auth, ok && auth != nil
}

// Middleware authenticates every request and attaches the result to its
// context, where AuthFromContext finds it. Like Clerk's clerkMiddleware it
// never rejects: handlers (or RequireAuth) decide what signed out means.
// It panics if a is nil, at wiring time rather than per request.
func Middleware(a *Authenticator) func(http.Handler) http.Handler {
	if a == nil {
		panic("clerk: Middleware needs an Authenticator")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth := a.AuthenticateRequest(r)
			next.ServeHTTP(w, r.WithContext(ContextWithAuth(r.Context(), auth)))
		})
	}
}

// RequireAuth passes a request on when it is signed in and meets every
// requirement (with none, being signed in is enough), and otherwise
// answers as Authorize says: 401 {"message":"Unauthorized"} when signed
// out, 403 {"message":"Forbidden"} when a requirement is not met. A request
// that no Middleware saw is refused too: failing closed turns a wiring
// mistake into a visible 401 instead of an open door.
func RequireAuth(reqs ...Requirement) func(http.Handler) http.Handler {
	reqs = slices.Clone(reqs)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth, _ := AuthFromContext(r.Context())
			if ok, status, body := Authorize(auth, reqs...); !ok {
				writeJSON(w, status, body)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// writeJSON answers with a JSON body that no shared cache may keep.
func writeJSON(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
