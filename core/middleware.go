package clerk

import (
	"context"
	"net/http"
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

// RequireAuth passes signed-in requests to next and answers the others
// 401 {"message":"Unauthorized"}, as Clerk's Next.js getToken example does.
// A request that no Middleware saw is refused too: failing closed turns a
// wiring mistake into a visible 401 instead of an open door.
func RequireAuth(next http.Handler) http.Handler {
	return RequireAuthWith(http.HandlerFunc(WriteUnauthorized))(next)
}

// RequireAuthWith is RequireAuth with a custom answer for requests that are
// not signed in.
func RequireAuthWith(unauthorized http.Handler) func(http.Handler) http.Handler {
	if unauthorized == nil {
		panic("clerk: RequireAuthWith needs a handler")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if auth, ok := AuthFromContext(r.Context()); ok && auth.SignedIn() {
				next.ServeHTTP(w, r)
				return
			}
			unauthorized.ServeHTTP(w, r)
		})
	}
}

// WriteUnauthorized answers 401 {"message":"Unauthorized"}.
func WriteUnauthorized(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"message":"Unauthorized"}`))
}
