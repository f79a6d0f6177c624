package benchmarks_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	sdk "github.com/clerk/clerk-sdk-go/v2"
	sdkhttp "github.com/clerk/clerk-sdk-go/v2/http"
	clerk "github.com/clerkkit/clerkkit/core"
)

// sdkHandler is the SDK's header middleware in front of a handler that
// needs the user, answering 401 when the claims are missing.
func sdkHandler(opts ...sdkhttp.AuthorizationOption) http.Handler {
	return sdkhttp.WithHeaderAuthorization(opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := sdk.SessionClaimsFromContext(r.Context())
		if !ok || claims.Subject == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
}

// clerkkitHandler is clerkkit's middleware in front of the same handler.
func clerkkitHandler(a *clerk.Authenticator) http.Handler {
	return clerk.Middleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, ok := clerk.AuthFromContext(r.Context())
		if !ok || auth.UserID() == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
}

func bearerRequests(tokens []string) []*http.Request {
	reqs := make([]*http.Request, len(tokens))
	for i, tok := range tokens {
		reqs[i] = httptest.NewRequest(http.MethodGet, "/api/me", nil)
		reqs[i].Header.Set("Authorization", "Bearer "+tok)
	}
	return reqs
}

// serveAll sends the requests round-robin through h, each to a new
// recorder, and fails on anything but 200.
func serveAll(b *testing.B, h http.Handler, reqs []*http.Request) {
	// Warm up: fills the key caches a JWKS key source keeps.
	if rec := serve(h, reqs[0]); rec.Code != http.StatusOK {
		b.Fatalf("warm-up: status %d", rec.Code)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if rec := serve(h, reqs[i%len(reqs)]); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		i++
	}
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// BenchmarkMiddleware runs a request with a bearer session token through
// each library's net/http middleware end to end. keys=pem verifies with
// CLERK_JWT_KEY (the SDK's JSONWebKey option), keys=jwks with the key set
// fetched from the Backend API and cached (warm here).
func BenchmarkMiddleware(b *testing.B) {
	in := newInstance(b)
	fresh := bearerRequests(in.tokens(b, freshPool))
	repeated := fresh[:1]

	for _, keys := range []string{"pem", "jwks"} {
		sdkOpt := func() sdkhttp.AuthorizationOption {
			if keys == "pem" {
				return sdkhttp.JSONWebKey(in.pem)
			}
			return sdkhttp.JWKSClient(in.sdkJWKSClient())
		}
		keySource := func(b *testing.B) clerk.AuthenticatorOption {
			if keys == "pem" {
				return nil
			}
			return in.backendJWKS(b)
		}
		for _, tc := range []struct {
			token string
			reqs  []*http.Request
			opts  []clerk.AuthenticatorOption
		}{
			{"fresh", fresh, []clerk.AuthenticatorOption{clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge)}},
			{"repeated", repeated, nil},
		} {
			prefix := "token=" + tc.token + "/keys=" + keys
			b.Run(prefix+"/impl=clerk-sdk-go", func(b *testing.B) {
				serveAll(b, sdkHandler(sdkOpt(), sdkhttp.AuthorizedParty(isAuthorizedParty)), tc.reqs)
			})
			b.Run(prefix+"/impl=clerkkit", func(b *testing.B) {
				serveAll(b, clerkkitHandler(in.authenticator(b, keySource(b), tc.opts...)), tc.reqs)
			})
		}
	}
}
