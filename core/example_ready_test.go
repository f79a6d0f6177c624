package clerk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// At start-up, Warm loads the key set and says why it cannot: here Clerk
// refuses the secret key.
func ExampleAuthenticator_Warm() {
	clerkAPI := clerktest.NewServer() // stands in for Clerk's Backend API
	defer clerkAPI.Close()
	client, err := clerk.NewClient("sk_test_revoked", clerk.WithAPIURL(clerkAPI.URL))
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithClient(client))
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	switch err := auth.Warm(ctx); {
	case errors.Is(err, clerk.ErrUnauthorized):
		fmt.Println("Clerk refused CLERK_SECRET_KEY")
	case errors.Is(err, clerk.ErrTransport):
		fmt.Println("Clerk unreachable: check CLERK_API_URL")
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println("ready")
	}
	// Output: Clerk refused CLERK_SECRET_KEY
}

// A readiness probe: 200 once the key set is loaded and younger than an
// hour, else 503 with the reason.
func ExampleAuthenticator_Ready() {
	clerkAPI := clerktest.NewServer()
	defer clerkAPI.Close()
	client, err := clerk.NewClient(clerkAPI.SecretKey(), clerk.WithAPIURL(clerkAPI.URL))
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithClient(client))
	if err != nil {
		panic(err)
	}
	readyz := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if err := auth.Ready(time.Hour); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprintln(w, "ready")
	})
	probe := func() {
		w := httptest.NewRecorder()
		readyz.ServeHTTP(w, httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/readyz", nil))
		fmt.Print(w.Code, " ", w.Body.String())
	}
	probe()
	if err := auth.Warm(context.Background()); err != nil {
		panic(err)
	}
	probe()
	// Output:
	// 503 clerk: not ready: no key set loaded
	// 200 ready
}
