package clerk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// A worker calls another service with an M2M token that a token source
// mints once and reuses; the emulator stands in for Clerk.
func ExampleM2MTokenSource() {
	srv := clerktest.NewServer()
	defer srv.Close()
	api, _ := srv.AddMachine(clerktest.Machine{Name: "api"})
	worker, _ := srv.AddMachine(clerktest.Machine{Name: "worker", Scopes: []string{api.ID}})

	// The service being called; a real one verifies the token with an
	// Authenticator that accepts M2M tokens.
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "service saw an M2M token:", strings.HasPrefix(r.Header.Get("Authorization"), "Bearer mt_"))
	}))
	defer service.Close()

	// In production: clerk.NewM2MClientFromEnv() reads CLERK_MACHINE_SECRET_KEY.
	client, err := clerk.NewM2MClient(worker.SecretKey, clerk.WithAPIURL(srv.URL))
	if err != nil {
		fmt.Println("configuration:", err)
		return
	}
	source, err := client.TokenSource(clerk.WithM2MLifetime(10 * time.Minute))
	if err != nil {
		fmt.Println("configuration:", err)
		return
	}
	hc := source.HTTPClient(&http.Client{Timeout: 10 * time.Second})
	for range 3 {
		resp, err := hc.Get(service.URL)
		var apiErr *clerk.APIError
		switch {
		case errors.As(err, &apiErr): // Clerk refused to mint: a wrong key, say
			fmt.Println("Clerk said:", apiErr.StatusCode, apiErr.Code())
			return
		case err != nil: // Clerk or the service unreachable, or ctx ended
			fmt.Println("call failed:", err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		fmt.Print(string(body))
	}
	tok, _ := source.Token(context.Background())
	fmt.Println("create calls:", srv.Requests(clerktest.EndpointCreateM2MToken), "subject is worker:", tok.Subject == worker.ID)
	// Output:
	// service saw an M2M token: true
	// service saw an M2M token: true
	// service saw an M2M token: true
	// create calls: 1 subject is worker: true
}
