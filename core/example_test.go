package clerk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// exampleAPI stands in for Clerk in the examples: it mints the same token
// for every session, and knows no template called "missing".
func exampleAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v1/sessions/sess_123/tokens/missing" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errors":[{"code":"resource_not_found","message":"No JWT template exists with name: missing"}],"clerk_trace_id":"5f3e"}`)
			return
		}
		_, _ = io.WriteString(w, `{"object":"token","jwt":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2ln"}`)
	}))
}

func ExampleNewClient() {
	client, err := clerk.NewClient("sk_test_replaceWithYourKey",
		clerk.WithTimeout(5*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: clerk.Client{api: https://api.clerk.com/v1, key: sk_test_[redacted]}
}

func ExampleNewClient_invalidKey() {
	_, err := clerk.NewClient("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k")
	fmt.Println(errors.Is(err, clerk.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// clerk: invalid configuration: secret key must start with sk_test_ or sk_live_
}

func ExampleNewClientFromEnv() {
	// Reads CLERK_SECRET_KEY, CLERK_API_URL and CLERK_API_VERSION.
	client, err := clerk.NewClientFromEnv()
	if err != nil {
		log.Printf("Clerk is not configured: %v", err)
		return
	}
	_ = client
}

func ExampleClient_GetToken() {
	api := exampleAPI() // in production: clerk.NewClient(secretKey)
	defer api.Close()
	client, err := clerk.NewClient("sk_test_replaceWithYourKey", clerk.WithAPIURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}

	// The session ID comes from the verified session token of the request.
	token, err := client.GetToken(context.Background(), "sess_123", "supabase")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(token.JWT)
	// Output: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2ln
}

func ExampleClient_GetToken_lifetime() {
	api := exampleAPI()
	defer api.Close()
	client, err := clerk.NewClient("sk_test_replaceWithYourKey", clerk.WithAPIURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Ten minutes instead of the template's lifetime.
	token, err := client.GetToken(context.Background(), "sess_123", "supabase", clerk.WithExpiresInSeconds(600))
	fmt.Println(token != nil, err)
	// Output: true <nil>
}

func ExampleAPIError() {
	api := exampleAPI()
	defer api.Close()
	client, err := clerk.NewClient("sk_test_replaceWithYourKey", clerk.WithAPIURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = client.GetToken(context.Background(), "sess_123", "missing")
	var apiErr *clerk.APIError
	switch {
	case errors.Is(err, clerk.ErrNotFound) && errors.As(err, &apiErr):
		fmt.Println(apiErr.StatusCode, apiErr.Code(), apiErr.TraceID)
	case errors.Is(err, clerk.ErrRateLimited):
		fmt.Println("slow down")
	}
	// Output: 404 resource_not_found 5f3e
}

func ExampleInputError() {
	client, err := clerk.NewClient("sk_test_replaceWithYourKey")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Refused before anything is sent.
	_, err = client.GetToken(context.Background(), "..", "test")
	fmt.Println(errors.Is(err, clerk.ErrInvalidInput), err)
	// Output: true clerk: invalid session ID: must not be a dot segment
}

func ExampleWithRetry() {
	_, err := clerk.NewClient("sk_test_replaceWithYourKey", clerk.WithRetry(clerk.RetryPolicy{
		MaxAttempts:   3,
		MinBackoff:    200 * time.Millisecond,
		MaxBackoff:    time.Second,
		MaxRetryAfter: 5 * time.Second,
	}))
	fmt.Println(err)
	// Output: <nil>
}
