package clerk_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// TestM2MSecretsNeverShown: the machine secret key and M2M tokens appear in
// no error, fmt verb, log record or JSON, on the success and error paths.
func TestM2MSecretsNeverShown(t *testing.T) {
	for name := range secretLoggers(io.Discard) {
		t.Run(name, func(t *testing.T) {
			w := newSecretWatch(t)
			logger := secretLoggers(w.logs)[name]
			f := newM2MServer(t)
			w.secrets[f.caller.SecretKey] = "the machine secret key"
			client := f.newClient(t, clerk.WithAPIURL(f.srv.URL), clerk.WithLogger(logger))

			opaque, err := client.CreateM2MToken(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			jwt, err := client.CreateM2MToken(t.Context(), clerk.WithM2MTokenFormat(clerk.M2MTokenJWT),
				clerk.WithM2MClaims(map[string]any{"tier": "gold"}))
			if err != nil {
				t.Fatal(err)
			}
			w.token("the opaque M2M token", opaque.Token())
			w.token("the M2M JWT", jwt.Token())
			type holder struct {
				// Unexported: fmt cannot call their methods and prints
				// their fields, claims included (they are configuration,
				// not secrets), but the bearer value is behind a func.
				tok   clerk.M2MToken
				ptr   *clerk.M2MToken
				other *clerk.M2MClient
			}
			src := mustSource(t, client)
			for _, v := range []any{client, *client, opaque, *opaque, jwt, *jwt, holder{*opaque, jwt, client}, src} {
				w.show("value", v)
				for _, verb := range []string{"%d", "%x", "%q", "%t", "%+10s", "%v"} {
					w.shown = append(w.shown, "verb "+verb+": "+fmt.Sprintf(verb, v))
				}
				b, _ := json.Marshal(v)
				w.shown = append(w.shown, "json: "+string(b))
				logger.Info("service log", "v", v, "nested", map[string]any{"v": v})
			}

			// Error paths: refused key, failing Clerk, bad input.
			wrong, err := clerk.NewM2MClient("ak_WRONGwrongWRONG", m2mFastRetry, clerk.WithAPIURL(f.srv.URL), clerk.WithLogger(logger))
			if err != nil {
				t.Fatal(err)
			}
			w.secrets["ak_WRONGwrongWRONG"] = "the wrong machine key"
			_, err = wrong.CreateM2MToken(t.Context())
			w.show("wrong key", err, wrong)
			f.srv.FailNext(3, http.StatusServiceUnavailable, clerktest.EndpointCreateM2MToken)
			_, err = client.CreateM2MToken(t.Context())
			w.show("503", err)
			_, err = client.RevokeM2MToken(t.Context(), opaque.Token()+"/x", opaque.Token())
			w.show("revoke", err)
			_, err = client.RevokeM2MToken(t.Context(), opaque.Token(), "")
			w.show("revoke by token", err)
			for _, key := range []string{f.caller.SecretKey + " ", "\"" + f.caller.SecretKey, strings.TrimPrefix(f.caller.SecretKey, "ak_")} {
				_, err := clerk.NewM2MClient(key)
				w.show("config", err)
			}

			// A failing refresh while the token is valid logs a warning. The
			// client's clock is moved past the refresh point (48 s of 60).
			clock := &fakeClock{t: time.Now()}
			clocked := f.newClient(t, clerk.WithAPIURL(f.srv.URL), clerk.WithLogger(logger), clerk.WithM2MClock(clock.Now))
			short := mustSource(t, clocked, clerk.WithM2MLifetime(time.Minute))
			tok, err := short.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			w.token("the source's token", tok.Token())
			f.srv.FailNext(100, http.StatusServiceUnavailable, clerktest.EndpointCreateM2MToken)
			clock.Advance(50 * time.Second)
			again, err := short.Token(t.Context())
			if err != nil || again != tok {
				t.Errorf("failed refresh: %v, %v", again, err)
			}
			f.srv.ClearFaults()
			w.check()
			if !strings.Contains(w.logs.String(), "refresh failed") || !strings.Contains(w.logs.String(), "retrying") {
				t.Errorf("the warning and retry logs did not run:\n%s", w.logs)
			}
		})
	}
}
