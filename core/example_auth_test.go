package clerk_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

func ExampleNewAuthenticator() {
	jwtKey := exampleJWTKey() // CLERK_JWT_KEY: the instance's public key, from the dashboard

	auth, err := clerk.NewAuthenticator(
		clerk.WithJWTKey(jwtKey), // networkless; or WithClient(client)
		clerk.WithPublishableKey("pk_test_Y2xlcmsuZXhhbXBsZS50ZXN0JA"),
		clerk.WithAuthorizedParties("https://app.example.test"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(auth)
	// Output: clerk.Authenticator{issuer: https://clerk.example.test}
}

func ExampleNewAuthenticatorFromEnv() {
	// Reads CLERK_JWT_KEY, CLERK_PUBLISHABLE_KEY and CLERK_AUTHORIZED_PARTIES.
	// Without CLERK_JWT_KEY the keys come from the Backend API with the
	// Client's secret key (CLERK_SECRET_KEY).
	client, err := clerk.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	auth, err := clerk.NewAuthenticatorFromEnv(client)
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/api/", clerk.Middleware(auth)(http.NotFoundHandler()))
}

func ExampleWithClient() {
	client, err := clerk.NewClient("sk_test_...")
	if err != nil {
		log.Fatal(err)
	}
	// The key set is cached, refreshed in the background every 5 minutes,
	// and kept when Clerk is unreachable.
	auth, err := clerk.NewAuthenticator(
		clerk.WithClient(client),
		clerk.WithJWKSRefreshInterval(10*time.Minute),
		clerk.WithUnknownKIDRefetchInterval(time.Minute),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = auth
}

func ExampleWithFrontendJWKS() {
	// The public key set of the Frontend API needs no secret key.
	auth, err := clerk.NewAuthenticator(
		clerk.WithFrontendJWKS(),
		clerk.WithPublishableKey("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"), // clerk.example.com
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = auth
}

func ExampleMiddleware() {
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/me", clerk.RequireAuth()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := clerk.AuthFromContext(r.Context())
		_, _ = fmt.Fprintf(w, "hello %s", a.UserID())
	})))
	handler := clerk.Middleware(auth)(mux) // attaches the Auth, never rejects

	for _, token := range []string{exampleSessionToken(nil), ""} {
		r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/me", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 hello user_123
	// 401 {"message":"Unauthorized"}
}

func ExampleRequireAuth() {
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	members := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := clerk.AuthFromContext(r.Context()) // RequireAuth guarantees a signed-in Auth
		_, _ = fmt.Fprintf(w, "members of %s", a.OrgSlug())
	})
	// Signed in, and allowed to manage the organization's memberships.
	handler := clerk.Middleware(auth)(clerk.RequireAuth(clerk.Permission("memberships:manage"))(members))

	admin := exampleSessionToken(map[string]any{
		"fea": "o:memberships",
		"o":   map[string]any{"id": "org_1", "slg": "acme", "rol": "admin", "per": "read,manage", "fpm": "3"},
	})
	member := exampleSessionToken(map[string]any{
		"fea": "o:memberships",
		"o":   map[string]any{"id": "org_1", "slg": "acme", "rol": "member", "per": "read,manage", "fpm": "1"},
	})
	for _, token := range []string{admin, member, ""} {
		r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/members", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 members of acme
	// 403 {"message":"Forbidden"}
	// 401 {"message":"Unauthorized"}
}

func ExampleAuthorize() {
	// Authorize is what every adapter's RequireAuth asks; a custom guard
	// can ask it too and answer in its own format.
	ok, status, body := clerk.Authorize(nil, clerk.Role("admin"))
	fmt.Println(ok, status, body)
	// Output: false 401 {"message":"Unauthorized"}
}

func ExampleAuthFromContext() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		a, ok := clerk.AuthFromContext(r.Context())
		switch {
		case !ok:
			http.Error(w, "clerk.Middleware is not installed", http.StatusInternalServerError)
		case !a.SignedIn():
			http.Error(w, "signed out: "+string(a.Reason()), http.StatusUnauthorized)
		default:
			_, _ = fmt.Fprintln(w, "user", a.UserID())
		}
	}
	ctx := clerk.ContextWithAuth(context.Background(), nil)
	_, ok := clerk.AuthFromContext(ctx)
	fmt.Println(ok)
	_ = handler
	// Output: false
}

func ExampleAuthenticator_Authenticate() {
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	// A framework adapter passes its own request type as a Carrier.
	req := frameworkRequest{headers: map[string]string{"Authorization": "Bearer " + exampleSessionToken(nil)}}
	a := auth.Authenticate(context.Background(), req)
	fmt.Println(a.SignedIn(), a.UserID(), a.SessionID())

	a = auth.Authenticate(context.Background(), frameworkRequest{})
	fmt.Println(a.SignedIn(), a.Reason())
	// Output:
	// true user_123 sess_123
	// false session-token-missing
}

// frameworkRequest stands for a web framework's request type.
type frameworkRequest struct{ headers, cookies map[string]string }

func (r frameworkRequest) Header(name string) string { return r.headers[name] }
func (r frameworkRequest) Cookie(name string) (string, bool) {
	v, ok := r.cookies[name]
	return v, ok
}

func ExampleAuthenticator_AuthenticateRequest() {
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	// Same-origin requests carry the token in the __session cookie, with
	// __client_uat, the time the browser last signed in or out.
	r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: clerk.SessionCookieName, Value: exampleSessionToken(nil)})
	fmt.Println(auth.AuthenticateRequest(r))
	r.AddCookie(&http.Cookie{Name: "__client_uat", Value: "1"})
	fmt.Println(auth.AuthenticateRequest(r))
	// Output:
	// clerk.Auth{signed out: session-token-but-no-client-uat}
	// clerk.Auth{user: user_123, session: sess_123}
}

// mapCarrier is a Carrier as a framework adapter writes one, over its own
// request type; here, plain maps.
type mapCarrier struct{ headers, cookies map[string]string }

func (m mapCarrier) Header(name string) string { return m.headers[name] }

func (m mapCarrier) Cookie(name string) (string, bool) {
	v, ok := m.cookies[name]
	return v, ok
}

func ExampleCarrier() {
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	req := mapCarrier{
		headers: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, // not Bearer: ignored
		cookies: map[string]string{"__session": exampleSessionToken(nil), "__client_uat": "1"},
	}
	a := auth.Authenticate(context.Background(), req)
	fmt.Println(a.SignedIn(), a.UserID())
	// Output: true user_123
}

func ExampleAuthenticator_VerifyToken() {
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	expired := exampleSessionToken(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})
	_, err = auth.VerifyToken(context.Background(), expired)
	var authErr *clerk.AuthError
	if errors.As(err, &authErr) {
		fmt.Println(authErr.Reason)
	}
	fmt.Println(errors.Is(err, clerk.ErrUnauthenticated))
	// Output:
	// token-expired
	// true
}

func ExampleAuth_DecodeClaims() {
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	// Claims added in the dashboard's session token customisation.
	token := exampleSessionToken(map[string]any{"metadata": map[string]any{"plan": "pro"}})
	a, err := auth.VerifyToken(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	type appClaims struct {
		Metadata struct {
			Plan string `json:"plan"`
		} `json:"metadata"`
	}
	var claims appClaims
	if err := a.DecodeClaims(&claims); err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Metadata.Plan)
	// Output: pro
}

func ExampleAuth_OrgPermissions() {
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	token := exampleSessionToken(map[string]any{
		"fea": "o:impersonation,o:memberships",
		"o":   map[string]any{"id": "org_1", "slg": "acme", "rol": "admin", "per": "read,manage", "fpm": "1,3"},
	})
	a, err := auth.VerifyToken(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.OrgID(), a.OrgSlug(), a.OrgRole())
	fmt.Println(a.OrgPermissions())
	fmt.Println(a.Has(clerk.Permission("memberships:manage")), a.Has(clerk.Role("org:admin")))
	// Output:
	// org_1 acme org:admin
	// [org:impersonation:read org:memberships:read org:memberships:manage]
	// true true
}

// The examples' stand-in Clerk instance: a key pair made once, its public
// half as CLERK_JWT_KEY holds it, and session tokens as Clerk mints them.
var exampleKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func exampleJWTKey() string {
	der, err := x509.MarshalPKIXPublicKey(&exampleKey().PublicKey)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func exampleSessionToken(extra map[string]any) string {
	now := time.Now().Unix()
	claims := map[string]any{"sub": "user_123", "sid": "sess_123", "iss": "https://clerk.example.test",
		"azp": "https://app.example.test", "iat": now, "nbf": now - 10, "exp": now + 60, "v": 2, "sts": "active"}
	for k, v := range extra {
		claims[k] = v
	}
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": "RS256", "kid": "ins_example", "typ": "JWT", "cat": "cl_B7d4PD111AAA"}) + "." + enc(claims)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, exampleKey(), crypto.SHA256, digest[:])
	if err != nil {
		panic(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func ExampleContextWithAuth() {
	// Adapters and tests attach an Auth the way Middleware does.
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(exampleJWTKey()))
	if err != nil {
		log.Fatal(err)
	}
	a, err := auth.VerifyToken(context.Background(), exampleSessionToken(nil))
	if err != nil {
		log.Fatal(err)
	}
	ctx := clerk.ContextWithAuth(context.Background(), a)
	got, ok := clerk.AuthFromContext(ctx)
	fmt.Println(ok, got.UserID())
	// Output: true user_123
}
