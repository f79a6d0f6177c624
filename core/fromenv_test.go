package clerk_test

import (
	"errors"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

// TestFromEnvErrorsNameTheirVariable: a configuration read from the
// environment that is refused names the variable to fix, never its value.
func TestFromEnvErrorsNameTheirVariable(t *testing.T) {
	const good = "sk_test_abcdef"
	cases := []struct {
		name, value string
		authn       bool // the Authenticator's FromEnv, else the Client's
	}{
		{clerk.EnvSecretKey, "garbage", false},
		{clerk.EnvSecretKey, "sk_test_", false},
		{clerk.EnvSecretKey, "sk_live_abc\"def", false},
		{clerk.EnvSecretKey, "", false},
		{clerk.EnvAPIURL, "ftp://api.example.test", false},
		{clerk.EnvAPIURL, "https://user:pw@api.example.test", false},
		{clerk.EnvAPIVersion, "v2", false},
		{clerk.EnvPublishableKey, "pk_test_garbage", true},
		{clerk.EnvJWTKey, "not a key", true},
		{clerk.EnvJWTKey, "", true}, // and no Client: no key source
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			for _, name := range []string{clerk.EnvAPIURL, clerk.EnvAPIVersion, clerk.EnvPublishableKey, clerk.EnvJWTKey, clerk.EnvAuthorizedParties} {
				t.Setenv(name, "")
			}
			t.Setenv(clerk.EnvSecretKey, good)
			t.Setenv(c.name, c.value)
			var err error
			if c.authn {
				_, err = clerk.NewAuthenticatorFromEnv(nil)
			} else {
				_, err = clerk.NewClientFromEnv()
			}
			if !errors.Is(err, clerk.ErrInvalidConfig) || !strings.Contains(err.Error(), c.name) {
				t.Fatalf("error %v, want ErrInvalidConfig naming %s", err, c.name)
			}
			if len(c.value) > 8 && strings.Contains(err.Error(), c.value) {
				t.Errorf("error %q shows the value", err)
			}
		})
	}
}
