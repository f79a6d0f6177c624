package clerktest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// exampleKey keeps examples fast; real tests can share a key the same way.
func exampleKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// claimsOf decodes a JWT's payload without verifying it (examples only).
func claimsOf(jwt string) map[string]any {
	part := strings.Split(jwt, ".")[1]
	b, _ := base64.RawURLEncoding.DecodeString(part)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&m)
	return m
}

func ExampleNewServer() {
	srv := clerktest.NewServer(
		clerktest.WithKey(exampleKey()),
		clerktest.WithSecretKey("sk_test_example"),
		clerktest.WithIssuer("https://clerk.example.com"),
	)
	defer srv.Close()

	sess := srv.CreateSession("user_123")
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/v1/sessions/"+sess.ID+"/tokens", nil)
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var body struct{ Object, JWT string }
	_ = json.NewDecoder(res.Body).Decode(&body)

	fmt.Println(res.StatusCode, body.Object)
	fmt.Println(srv.PublishableKey())
	fmt.Println(claimsOf(body.JWT)["sub"], claimsOf(body.JWT)["iss"])
	// Output:
	// 200 token
	// pk_test_Y2xlcmsuZXhhbXBsZS5jb20k
	// user_123 https://clerk.example.com
}

func ExampleStart() {
	// In a test, Start closes the server when the test ends.
	_ = func(t *testing.T) {
		srv := clerktest.Start(t)
		sess := srv.CreateSession("user_123")
		token, err := srv.SessionToken(sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		_ = token // send as "Authorization: Bearer <token>" to the handler under test
	}
}

func ExampleServer_SessionToken() {
	now := time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)
	srv := clerktest.NewServer(clerktest.WithKey(exampleKey()), clerktest.WithClock(func() time.Time { return now }))
	defer srv.Close()

	if _, err := srv.AddOrganization(clerktest.Organization{ID: "org_1", Slug: "acme"}); err != nil {
		panic(err)
	}
	// The user need not be added for a session token: only its id is used.
	err := srv.AddMembership("org_1", "user_1", "admin", "org:impersonation:read", "org:memberships:read", "org:memberships:manage")
	if err != nil {
		panic(err)
	}
	sess := srv.CreateSession("user_1", clerktest.WithActiveOrganization("org_1"))

	valid, _ := srv.SessionToken(sess.ID)
	expired, _ := srv.SessionToken(sess.ID, clerktest.TokenExpired())

	c := claimsOf(valid)
	fmt.Println(c["fea"], c["o"])
	fmt.Println(c["exp"], claimsOf(expired)["exp"])
	// Output:
	// o:impersonation,o:memberships map[fpm:1,3 id:org_1 per:read,manage rol:admin slg:acme]
	// 1778580060 1778579940
}

func ExampleServer_AddTemplate() {
	srv := clerktest.NewServer(clerktest.WithKey(exampleKey()))
	defer srv.Close()

	_, err := srv.AddUser(clerktest.User{
		ID:             "user_1",
		FirstName:      "Ada",
		EmailAddresses: []clerktest.EmailAddress{{Address: "ada@example.com"}},
		PublicMetadata: map[string]any{"level": 3},
	})
	if err != nil {
		panic(err)
	}
	err = srv.AddTemplate(clerktest.Template{
		Name: "supabase",
		Claims: map[string]any{
			"email":    "{{user.primary_email_address}}",
			"level":    "{{user.public_metadata.level}}",
			"greeting": "Hi {{user.first_name}}, level {{user.public_metadata.level}}",
			"role":     "{{user.public_metadata.role || 'authenticated'}}",
		},
		SigningAlgorithm: "HS256",
		SigningKey:       "a-shared-secret-of-the-supabase-project",
	})
	if err != nil {
		panic(err)
	}
	token, _ := srv.TemplateToken(srv.CreateSession("user_1").ID, "supabase")
	c := claimsOf(token)
	fmt.Println(c["email"], c["level"], c["role"])
	fmt.Println(c["greeting"])
	// Output:
	// ada@example.com 3 authenticated
	// Hi Ada, level 3
}

func ExampleServer_FailNext() {
	srv := clerktest.NewServer(clerktest.WithKey(exampleKey()))
	defer srv.Close()
	sess := srv.CreateSession("user_1")

	srv.RateLimitNext(1, "1", clerktest.EndpointTokens)
	srv.FailNext(1, http.StatusServiceUnavailable)
	for range 3 {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/v1/sessions/"+sess.ID+"/tokens", nil)
		req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Printf("%d Retry-After=%q\n", res.StatusCode, res.Header.Get("Retry-After"))
	}
	fmt.Println(srv.Requests(clerktest.EndpointTokens), "requests")
	// Output:
	// 429 Retry-After="1"
	// 503 Retry-After=""
	// 200 Retry-After=""
	// 3 requests
}

func ExampleServer_RotateKey() {
	srv := clerktest.NewServer(clerktest.WithKey(exampleKey()), clerktest.WithKeyID("ins_old"))
	defer srv.Close()

	if err := srv.RotateKeyTo(exampleKey(), "ins_new"); err != nil {
		panic(err)
	}
	fmt.Println(srv.KeyID(), strings.Count(string(srv.JWKS()), `"kid"`))
	if err := srv.RetireKey("ins_old"); err != nil {
		panic(err)
	}
	fmt.Println(strings.Count(string(srv.JWKS()), `"kid"`))
	// Output:
	// ins_new 2
	// 1
}

func ExampleServer_SeedDemo() {
	srv := clerktest.NewServer()
	defer srv.Close()
	demo, err := srv.SeedDemo("test")
	if err != nil {
		fmt.Println(err)
		return
	}
	token, err := srv.SessionToken(demo.SessionID)
	fmt.Println(demo.Template, token != "", err)
	// Output: test true <nil>
}
