package clerk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

func TestNewClientRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		key  string
		opts []clerk.ClientOption
	}{
		{"missing key", "", nil},
		{"publishable key instead of secret", "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k", nil},
		{"prefix only", "sk_test_", nil},
		{"unknown prefix", "sk_prod_abc", nil},
		{"trailing newline copied from a file", "sk_test_abc\n", nil},
		{"quoted key", `sk_test_"abc"`, nil},
		{"space inside", "sk_test_abc def", nil},
		{"relative API URL", testSecretKey, []clerk.ClientOption{clerk.WithAPIURL("api.clerk.com")}},
		{"API URL with query", testSecretKey, []clerk.ClientOption{clerk.WithAPIURL("https://api.clerk.com?x=1")}},
		{"API URL with credentials", testSecretKey, []clerk.ClientOption{clerk.WithAPIURL("https://u:p@api.clerk.com")}},
		{"ftp API URL", testSecretKey, []clerk.ClientOption{clerk.WithAPIURL("ftp://api.clerk.com")}},
		{"nil HTTP client", testSecretKey, []clerk.ClientOption{clerk.WithHTTPClient(nil)}},
		{"negative timeout", testSecretKey, []clerk.ClientOption{clerk.WithTimeout(-time.Second)}},
		{"zero attempts", testSecretKey, []clerk.ClientOption{clerk.WithRetry(clerk.RetryPolicy{})}},
		{"max backoff below min", testSecretKey, []clerk.ClientOption{clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Second, MaxBackoff: time.Millisecond})}},
		{"nil logger", testSecretKey, []clerk.ClientOption{clerk.WithLogger(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := clerk.NewClient(tt.key, tt.opts...)
			if !errors.Is(err, clerk.ErrInvalidConfig) {
				t.Fatalf("NewClient = %v, %v; want ErrInvalidConfig", c, err)
			}
			if tt.key != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.key)) {
				t.Errorf("error repeats the key: %v", err)
			}
		})
	}
}

func TestNewClientAcceptsLiveAndTestKeys(t *testing.T) {
	for _, key := range []string{"sk_test_abc", "sk_live_AbC-123_xyz"} {
		if _, err := clerk.NewClient(key); err != nil {
			t.Errorf("NewClient(%s…): %v", key[:8], err)
		}
	}
}

func TestNewClientFromEnv(t *testing.T) {
	f := newFakeAPI(t)
	t.Setenv(clerk.EnvSecretKey, testSecretKey)
	t.Setenv(clerk.EnvAPIURL, f.URL)
	t.Setenv(clerk.EnvAPIVersion, "v1")
	c, err := clerk.NewClientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetToken(context.Background(), "sess_1", "test"); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[0].Header.Get("Authorization"); got != "Bearer "+testSecretKey {
		t.Errorf("Authorization = %q", got)
	}

	t.Run("explicit options win over the environment", func(t *testing.T) {
		c, err := clerk.NewClientFromEnv(clerk.WithAPIURL("https://proxy.example.test"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.String(), "https://proxy.example.test/v1") {
			t.Errorf("client = %s", c)
		}
	})
	t.Run("an API version Clerk does not have is refused", func(t *testing.T) {
		t.Setenv(clerk.EnvAPIVersion, "v9")
		if _, err := clerk.NewClientFromEnv(); !errors.Is(err, clerk.ErrInvalidConfig) {
			t.Fatalf("CLERK_API_VERSION=v9: %v, want ErrInvalidConfig", err)
		}
	})
	t.Run("a missing key is an error, not an unauthenticated client", func(t *testing.T) {
		t.Setenv(clerk.EnvSecretKey, "")
		if _, err := clerk.NewClientFromEnv(); !errors.Is(err, clerk.ErrInvalidConfig) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a malformed API URL in the environment is an error", func(t *testing.T) {
		t.Setenv(clerk.EnvAPIURL, "not a url")
		if _, err := clerk.NewClientFromEnv(); !errors.Is(err, clerk.ErrInvalidConfig) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestTwoClientsShareNothing(t *testing.T) {
	a, b := newFakeAPI(t), newFakeAPI(t)
	ca, err := clerk.NewClient("sk_test_instanceA", clerk.WithAPIURL(a.URL))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := clerk.NewClient("sk_test_instanceB", clerk.WithAPIURL(b.URL))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := ca.GetToken(context.Background(), "sess_a", "t"); err != nil {
			t.Fatal(err)
		}
		if _, err := cb.GetToken(context.Background(), "sess_b", "t"); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range a.requests() {
		if r.Header.Get("Authorization") != "Bearer sk_test_instanceA" {
			t.Errorf("instance A received %q", r.Header.Get("Authorization"))
		}
	}
	for _, r := range b.requests() {
		if r.Header.Get("Authorization") != "Bearer sk_test_instanceB" {
			t.Errorf("instance B received %q", r.Header.Get("Authorization"))
		}
	}
}

func TestSecretKeyNeverPrinted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFakeAPI(t,
		statusReply(503, clerkErrorBody("internal_clerk_error", "x", "tr")),
		resetReply,
		statusReply(401, clerkErrorBody("clerk_key_invalid", "bad key", "tr2")),
	)
	c := newTestClient(t, f, clerk.WithLogger(logger))
	_, err := c.GetToken(context.Background(), "sess_1", "test")
	if err == nil {
		t.Fatal("want the 401")
	}
	logger.Info("client", "client", c)
	printed := []string{
		fmt.Sprint(c), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c),
		fmt.Sprintf("%v", *c), fmt.Sprintf("%+v", *c), fmt.Sprintf("%#v", *c),
		err.Error(), fmt.Sprintf("%+v", err), logs.String(),
	}
	for _, p := range printed {
		if strings.Contains(p, "SECRETsecret") {
			t.Errorf("secret key printed: %s", p)
		}
	}
	if !strings.Contains(logs.String(), "retrying") || !strings.Contains(logs.String(), "trace_id=tr") {
		t.Errorf("retries were not logged with their trace id:\n%s", logs.String())
	}
	if !strings.Contains(c.String(), "sk_test_[redacted]") {
		t.Errorf("String() = %s", c)
	}
}

func TestTokenStringHidesTheSignature(t *testing.T) {
	tok := &clerk.Token{JWT: aJWT}
	s := fmt.Sprint(tok)
	if strings.Contains(s, "c2lnbmF0dXJl") || strings.Contains(s, "eyJzdWIi") {
		t.Errorf("String() = %s shows the token", s)
	}
}

func TestWithHTTPClientIsUsed(t *testing.T) {
	f := newFakeAPI(t)
	var used bool
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newTestClient(t, f, clerk.WithHTTPClient(hc))
	if _, err := c.GetToken(context.Background(), "sess_1", "test"); err != nil {
		t.Fatal(err)
	}
	if !used {
		t.Error("the configured HTTP client was not used")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
