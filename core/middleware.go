package clerk

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
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
// context, where AuthFromContext finds it, accepting the kinds of token
// named (none: the Authenticator's default, session tokens unless
// WithAcceptedTokens says otherwise). Like Clerk's clerkMiddleware it never
// rejects: handlers (or RequireAuth, RequireAuthenticated) decide. It
// panics if a is nil or a kind is not a TokenType, at wiring time rather
// than per request.
func Middleware(a *Authenticator, accepts ...TokenType) func(http.Handler) http.Handler {
	if a == nil {
		panic("clerk: Middleware needs an Authenticator")
	}
	for _, t := range accepts {
		if !t.Valid() {
			panic("clerk: Middleware: " + strconv.Quote(string(t)) + " is not a TokenType")
		}
	}
	accepts = slices.Clone(accepts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth := a.AuthenticateRequest(r, accepts...)
			next.ServeHTTP(w, r.WithContext(ContextWithAuth(r.Context(), auth)))
		})
	}
}

// RequireAuth passes a request on when it is signed in and meets every
// requirement (with none, being signed in is enough), and otherwise
// answers as Authorize says: 401 {"message":"Unauthorized"} when signed
// out, 403 {"message":"Forbidden"} when a requirement is not met. A request
// that no Middleware saw is refused too: failing closed turns a wiring
// mistake into a visible 401 instead of an open door. It panics, where the
// guard is built, on a requirement that can never be met (see
// Requirement.Err).
func RequireAuth(reqs ...Requirement) func(http.Handler) http.Handler {
	if err := CheckRequirements(reqs...); err != nil {
		panic(err.Error())
	}
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

// RequireAuthenticated passes a request on when it carries any token the
// Middleware accepted, a machine caller's included, and otherwise answers
// as AuthorizeCaller says: 401, or 503 when Clerk could not be asked. For
// routes whose Middleware accepts machine tokens.
func RequireAuthenticated() func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth, _ := AuthFromContext(r.Context())
			if ok, status, body := AuthorizeCaller(auth); !ok {
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
