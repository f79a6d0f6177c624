package clerk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// benchAuth is a signed-in Auth with an active organization, features,
// plans and factor ages, from benchToken.
func benchAuth(b *testing.B) *clerk.Auth {
	b.Helper()
	a := newAuthenticator(b, clerk.WithJWTKey(publicPEM(b, rsaKey(b, 0))))
	auth, err := a.VerifyToken(context.Background(), benchToken(b, time.Now()))
	if err != nil {
		b.Fatal(err)
	}
	return auth
}

// BenchmarkHas checks one dimension at a time against a realistic token.
func BenchmarkHas(b *testing.B) {
	auth := benchAuth(b)
	for _, tc := range []struct {
		name string
		req  clerk.Requirement
	}{
		{"role", clerk.Role("admin")},
		{"permission", clerk.Permission("org:memberships:manage")},
		{"feature", clerk.Feature("o:billing")},
		{"plan", clerk.Plan("pro")},
		{"reverification", clerk.Reverification("strict")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			reqs := []clerk.Requirement{tc.req}
			b.ReportAllocs()
			for b.Loop() {
				if !auth.Has(reqs...) {
					b.Fatal("no")
				}
			}
		})
	}
}

// BenchmarkGuard is RequireAuth with and without a role requirement behind
// the middleware, with a repeated token: the guard's overhead.
func BenchmarkGuard(b *testing.B) {
	a := newAuthenticator(b, clerk.WithJWTKey(publicPEM(b, rsaKey(b, 0))))
	token := benchToken(b, time.Now())
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, tc := range []struct {
		name string
		reqs []clerk.Requirement
	}{
		{"signed-in", nil},
		{"role", []clerk.Requirement{clerk.Role("admin")}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := clerk.Middleware(a)(clerk.RequireAuth(tc.reqs...)(ok))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			w := discardWriter{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}
