package clerk_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

func TestMiddlewareAndRequireAuth(t *testing.T) {
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))), clerk.WithClock(clock.Now))
	valid := validToken(t, clock.Now())

	protected := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, ok := clerk.AuthFromContext(r.Context())
		if !ok || !auth.SignedIn() {
			t.Error("RequireAuth let a signed-out request through")
		}
		_, _ = io.WriteString(w, auth.UserID())
	})
	cases := []struct {
		name       string
		handler    http.Handler
		authHeader string
		wantStatus int
		wantBody   string
	}{
		{"signed in", clerk.Middleware(a)(clerk.RequireAuth()(protected)), "Bearer " + valid, 200, "user_123"},
		{"signed out", clerk.Middleware(a)(clerk.RequireAuth()(protected)), "", 401, `{"message":"Unauthorized"}`},
		{"bad token", clerk.Middleware(a)(clerk.RequireAuth()(protected)), "Bearer x.y.z", 401, `{"message":"Unauthorized"}`},
		{"no middleware: fails closed", clerk.RequireAuth()(protected), "Bearer " + valid, 401, `{"message":"Unauthorized"}`},
		{"signed in without the role", clerk.Middleware(a)(clerk.RequireAuth(clerk.Role("admin"))(protected)), "Bearer " + valid, 403, `{"message":"Forbidden"}`},
		{"signed out, role asked", clerk.Middleware(a)(clerk.RequireAuth(clerk.Role("admin"))(protected)), "", 401, `{"message":"Unauthorized"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/get-token-example", nil)
			if c.authHeader != "" {
				r.Header.Set("Authorization", c.authHeader)
			}
			w := httptest.NewRecorder()
			c.handler.ServeHTTP(w, r)
			if w.Code != c.wantStatus || w.Body.String() != c.wantBody {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body.String(), c.wantStatus, c.wantBody)
			}
			if c.wantStatus == 401 && w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("Content-Type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

func TestMiddlewareNeverRejects(t *testing.T) {
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))))
	var got *clerk.Auth
	h := clerk.Middleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = clerk.AuthFromContext(r.Context())
		w.WriteHeader(http.StatusTeapot)
	}))
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer not-a-token")
	h.ServeHTTP(w, r)
	if w.Code != http.StatusTeapot || got == nil || got.SignedIn() || got.Reason() != clerk.ReasonTokenInvalid {
		t.Fatalf("status %d, auth %v", w.Code, got)
	}
}

func TestAuthFromContextWithoutMiddleware(t *testing.T) {
	if auth, ok := clerk.AuthFromContext(context.Background()); ok || auth != nil {
		t.Fatal("found an Auth no middleware attached")
	}
	if _, ok := clerk.AuthFromContext(clerk.ContextWithAuth(context.Background(), nil)); ok {
		t.Fatal("a nil Auth counted as attached")
	}
}

func TestMiddlewarePanicsWithoutAuthenticator(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	clerk.Middleware(nil)
}
