package clerk_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

const testMachineKey = "ak_MACHINEsecretMACHINE0123456789"

func TestNewM2MClientRefusesBadKeys(t *testing.T) {
	for name, key := range map[string]string{
		"missing":          "",
		"instance key":     testSecretKey,
		"other prefix":     "pk_test_" + testMachineKey,
		"prefix only":      "ak_",
		"trailing newline": testMachineKey + "\n",
		"quoted":           `"` + testMachineKey + `"`,
		"inner space":      "ak_MACHINE secret",
		"too long":         "ak_" + strings.Repeat("a", 600),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := clerk.NewM2MClient(key)
			if c != nil || !errors.Is(err, clerk.ErrInvalidConfig) {
				t.Fatalf("NewM2MClient = %v, %v; want ErrInvalidConfig", c, err)
			}
			if !strings.Contains(err.Error(), clerk.EnvMachineSecretKey) {
				t.Errorf("error does not name %s: %v", clerk.EnvMachineSecretKey, err)
			}
			if key != "" && strings.Contains(err.Error(), strings.TrimSpace(strings.Trim(key, `"`))) {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
}

func TestNewM2MClientRefusesClientOnlyOptions(t *testing.T) {
	cache, err := clerk.NewMemoryTokenCache(10)
	if err != nil {
		t.Fatal(err)
	}
	for name, opt := range map[string]clerk.ClientOption{
		"WithTokenCache":     clerk.WithTokenCache(cache),
		"WithTokenFreshness": clerk.WithTokenFreshness(clerk.DefaultFreshness()),
	} {
		_, err := clerk.NewM2MClient(testMachineKey, opt)
		if !errors.Is(err, clerk.ErrInvalidConfig) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig naming it", name, err)
		}
	}
	if _, err := clerk.NewClient(testSecretKey, clerk.WithM2MClock(nil)); !errors.Is(err, clerk.ErrInvalidConfig) {
		t.Errorf("WithM2MClock(nil): %v", err)
	}
	if _, err := clerk.NewClient(testSecretKey, clerk.WithM2MClock(time.Now)); !errors.Is(err, clerk.ErrInvalidConfig) {
		t.Errorf("NewClient took WithM2MClock: %v", err)
	}
	// The options that concern calling Clerk are taken.
	if _, err := clerk.NewM2MClient(testMachineKey, clerk.WithAPIURL("http://localhost:1"), clerk.WithTimeout(0),
		clerk.WithRetry(clerk.DefaultRetryPolicy()), clerk.WithLogger(slog.New(slog.DiscardHandler)), nil); err != nil {
		t.Errorf("NewM2MClient with common options: %v", err)
	}
}

func TestNewM2MClientFromEnv(t *testing.T) {
	f := newM2MServer(t)
	t.Setenv(clerk.EnvMachineSecretKey, f.caller.SecretKey)
	t.Setenv(clerk.EnvAPIURL, f.srv.URL)
	t.Setenv(clerk.EnvAPIVersion, "")
	c, err := clerk.NewM2MClientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	if !strings.Contains(c.String(), f.srv.URL+"/v1") {
		t.Errorf("String() = %s, want the API URL from %s", c, clerk.EnvAPIURL)
	}
	tok, err := c.CreateM2MToken(t.Context())
	if err != nil || tok.Subject != f.caller.ID {
		t.Fatalf("CreateM2MToken = %v, %v", tok, err)
	}

	t.Setenv(clerk.EnvAPIVersion, "v2")
	if _, err := clerk.NewM2MClientFromEnv(); !errors.Is(err, clerk.ErrInvalidConfig) {
		t.Errorf("CLERK_API_VERSION=v2: %v", err)
	}
	t.Setenv(clerk.EnvAPIVersion, "")
	t.Setenv(clerk.EnvMachineSecretKey, "")
	_, err = clerk.NewM2MClientFromEnv()
	if !errors.Is(err, clerk.ErrInvalidConfig) || !strings.Contains(err.Error(), clerk.EnvMachineSecretKey) {
		t.Errorf("unset key: %v", err)
	}
}
