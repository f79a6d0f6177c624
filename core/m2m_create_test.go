package clerk_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// TestCreateM2MTokenWire checks every body member on the wire, with the
// names and null defaults of Clerk's own client, and the typed answer.
func TestCreateM2MTokenWire(t *testing.T) {
	f := newM2MFixture(t)
	tok, err := f.client.CreateM2MToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	last := f.srv.LastRequest()
	if last.Method != http.MethodPost || last.Path != "/v1/m2m_tokens" ||
		last.Header.Get("Authorization") != "Bearer "+f.caller.SecretKey || last.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request = %s %s, headers %v", last.Method, last.Path, last.Header)
	}
	if want := `{"seconds_until_expiration":null,"claims":null,"token_format":"opaque"}`; string(last.Body) != want {
		t.Errorf("default body = %s, want %s", last.Body, want)
	}
	if !strings.HasPrefix(tok.Token(), "mt_") || !strings.HasPrefix(tok.ID, "mt_") || tok.Subject != f.caller.ID ||
		!slices.Equal(tok.Scopes, []string{f.api.ID}) || tok.Revoked || tok.Expired || tok.Claims != nil {
		t.Errorf("token = %+v (value %.6s…)", tok, tok.Token())
	}
	if life := tok.ExpiresAt.Sub(tok.CreatedAt); life != time.Hour {
		t.Errorf("lifetime = %v, want the machine's default hour", life)
	}

	claims := map[string]any{"tier": "gold", "n": 7}
	tok, err = f.client.CreateM2MToken(t.Context(), clerk.WithM2MLifetime(120*time.Second), clerk.WithM2MClaims(claims),
		clerk.WithM2MMinRemainingTTL(30*time.Second), clerk.WithM2MTokenFormat(clerk.M2MTokenOpaque))
	if err != nil {
		t.Fatal(err)
	}
	claims["tier"] = "changed after the option was applied"
	want := `{"seconds_until_expiration":120,"claims":{"n":7,"tier":"gold"},"min_remaining_ttl_seconds":30,"token_format":"opaque"}`
	if body := string(f.srv.LastRequest().Body); body != want {
		t.Errorf("body = %s, want %s", body, want)
	}
	if tok.ExpiresAt.Sub(tok.CreatedAt) != 120*time.Second || tok.Claims["tier"] != "gold" {
		t.Errorf("token = %+v, claims %v", tok, tok.Claims)
	}
	// min_remaining_ttl_seconds: Clerk hands the live token back.
	again, err := f.client.CreateM2MToken(t.Context(), clerk.WithM2MLifetime(120*time.Second),
		clerk.WithM2MClaims(map[string]any{"tier": "gold", "n": 7}), clerk.WithM2MMinRemainingTTL(30*time.Second))
	if err != nil || again.ID != tok.ID || again.Token() != tok.Token() {
		t.Errorf("reuse: %v, %v; want token %s again", again, err, tok.ID)
	}

	jwt, err := f.client.CreateM2MToken(t.Context(), clerk.WithM2MTokenFormat(clerk.M2MTokenJWT), clerk.WithM2MLifetime(90*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"seconds_until_expiration":90,"claims":null,"token_format":"jwt"}`; string(f.srv.LastRequest().Body) != want {
		t.Errorf("jwt body = %s, want %s", f.srv.LastRequest().Body, want)
	}
	if strings.Count(jwt.Token(), ".") != 2 || jwt.Subject != f.caller.ID {
		t.Errorf("jwt token = %v", jwt)
	}
}

func TestRevokeM2MToken(t *testing.T) {
	f := newM2MFixture(t)
	tok, err := f.client.CreateM2MToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := f.client.RevokeM2MToken(t.Context(), tok.ID, "rotated")
	if err != nil {
		t.Fatal(err)
	}
	last := f.srv.LastRequest()
	if last.Path != "/v1/m2m_tokens/"+tok.ID+"/revoke" || string(last.Body) != `{"revocation_reason":"rotated"}` {
		t.Errorf("request = %s %s", last.Path, last.Body)
	}
	if !revoked.Revoked || revoked.RevocationReason != "rotated" || revoked.ID != tok.ID || revoked.Token() != "" {
		t.Errorf("revoked = %+v", revoked)
	}
	if stored, _ := f.srv.M2MToken(tok.ID); !stored.Revoked {
		t.Error("the emulator does not hold the token as revoked")
	}
	other, _ := f.client.CreateM2MToken(t.Context())
	if _, err := f.client.RevokeM2MToken(t.Context(), other.ID, ""); err != nil {
		t.Fatal(err)
	}
	if body := string(f.srv.LastRequest().Body); body != `{"revocation_reason":null}` {
		t.Errorf("body without a reason = %s", body)
	}
	_, err = f.client.RevokeM2MToken(t.Context(), "mt_00000000000000000000000000000000", "")
	var apiErr *clerk.APIError
	if !errors.Is(err, clerk.ErrNotFound) || !errors.As(err, &apiErr) {
		t.Errorf("unknown id: %v", err)
	}
}

// TestM2MInputChecks refuses bad arguments before any request.
func TestM2MInputChecks(t *testing.T) {
	f := newM2MFixture(t)
	cases := map[string]struct {
		opts []clerk.M2MTokenOption
		want error
	}{
		"zero lifetime":         {[]clerk.M2MTokenOption{clerk.WithM2MLifetime(0)}, clerk.ErrInvalidInput},
		"fractional lifetime":   {[]clerk.M2MTokenOption{clerk.WithM2MLifetime(1500 * time.Millisecond)}, clerk.ErrInvalidInput},
		"lifetime over 10y":     {[]clerk.M2MTokenOption{clerk.WithM2MLifetime(11 * 365 * 24 * time.Hour)}, clerk.ErrInvalidInput},
		"claims not JSON":       {[]clerk.M2MTokenOption{clerk.WithM2MClaims(map[string]any{"f": func() {}})}, clerk.ErrInvalidInput},
		"claims too large":      {[]clerk.M2MTokenOption{clerk.WithM2MClaims(map[string]any{"x": strings.Repeat("a", 5000)})}, clerk.ErrInvalidInput},
		"negative min TTL":      {[]clerk.M2MTokenOption{clerk.WithM2MMinRemainingTTL(-time.Second)}, clerk.ErrInvalidInput},
		"min TTL with jwt":      {[]clerk.M2MTokenOption{clerk.WithM2MMinRemainingTTL(time.Second), clerk.WithM2MTokenFormat(clerk.M2MTokenJWT)}, clerk.ErrInvalidInput},
		"min TTL over lifetime": {[]clerk.M2MTokenOption{clerk.WithM2MLifetime(time.Minute), clerk.WithM2MMinRemainingTTL(time.Minute)}, clerk.ErrInvalidInput},
		"unknown format":        {[]clerk.M2MTokenOption{clerk.WithM2MTokenFormat("xml")}, clerk.ErrInvalidInput},
		"refresh margin":        {[]clerk.M2MTokenOption{clerk.WithRefreshMargin(time.Second)}, clerk.ErrInvalidConfig},
		"store":                 {[]clerk.M2MTokenOption{clerk.WithM2MTokenStore(newMemoryM2MStore())}, clerk.ErrInvalidConfig},
	}
	for name, c := range cases {
		tok, err := f.client.CreateM2MToken(t.Context(), c.opts...)
		if tok != nil || !errors.Is(err, c.want) {
			t.Errorf("%s: %v, %v; want %v", name, tok, err, c.want)
		}
		if errors.Is(c.want, clerk.ErrInvalidConfig) {
			continue
		}
		if _, err := f.client.TokenSource(c.opts...); !errors.Is(err, c.want) {
			t.Errorf("%s: TokenSource: %v; want %v", name, err, c.want)
		}
	}
	for _, bad := range []clerk.M2MTokenOption{clerk.WithRefreshMargin(0), clerk.WithM2MTokenStore(nil)} {
		if _, err := f.client.TokenSource(bad); !errors.Is(err, clerk.ErrInvalidConfig) {
			t.Errorf("TokenSource with a bad source option: %v", err)
		}
	}
	if _, err := f.client.TokenSource(clerk.WithM2MLifetime(time.Minute), clerk.WithRefreshMargin(time.Minute)); !errors.Is(err, clerk.ErrInvalidConfig) {
		t.Errorf("margin = lifetime: %v", err)
	}
	for _, id := range []string{"", "..", "%2e%2E", "mt_\x00", strings.Repeat("m", 600), "\xff"} {
		if _, err := f.client.RevokeM2MToken(t.Context(), id, ""); !errors.Is(err, clerk.ErrInvalidInput) {
			t.Errorf("RevokeM2MToken(%q): %v", id, err)
		}
	}
	for _, reason := range []string{strings.Repeat("r", 1025), "\xff"} {
		if _, err := f.client.RevokeM2MToken(t.Context(), "mt_00000000000000000000000000000000", reason); !errors.Is(err, clerk.ErrInvalidInput) {
			t.Errorf("reason %.10q: %v", reason, err)
		}
	}
	if n := f.srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent for refused input", n)
	}
	// An id that holds slashes is sent as one escaped segment.
	if _, err := f.client.RevokeM2MToken(t.Context(), "mt_1/../../users", ""); !errors.Is(err, clerk.ErrNotFound) {
		t.Errorf("slashed id: %v", err)
	}
	if p := f.srv.LastRequest().Path; p != "/v1/m2m_tokens/mt_1%2F..%2F..%2Fusers/revoke" {
		t.Errorf("slashed id sent as %s", p)
	}
}

// TestCreateM2MTokenErrors: 4xx answers come back at once, typed; 5xx,
// 429 and dropped connections are retried.
func TestCreateM2MTokenErrors(t *testing.T) {
	f := newM2MFixture(t)
	ep := clerktest.EndpointCreateM2MToken

	wrong := f.newClient(t, clerk.WithAPIURL(f.srv.URL))
	wrongKey, err := clerk.NewM2MClient("ak_0123456789abcdef0123456789abcdef", m2mFastRetry, clerk.WithAPIURL(f.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrongKey.CreateM2MToken(t.Context())
	var apiErr *clerk.APIError
	if !errors.Is(err, clerk.ErrUnauthorized) || !errors.As(err, &apiErr) || f.creates() != 1 {
		t.Errorf("wrong key: %v after %d requests; want one 401", err, f.creates())
	}

	// The machine's default TTL is an hour: a min TTL of an hour is a 400.
	f.srv.ResetRequests()
	_, err = wrong.CreateM2MToken(t.Context(), clerk.WithM2MMinRemainingTTL(time.Hour))
	if !errors.Is(err, clerk.ErrBadRequest) || f.creates() != 1 {
		t.Errorf("min TTL over the default lifetime: %v after %d requests; want one 400", err, f.creates())
	}

	for name, inject := range map[string]func(){
		"503":     func() { f.srv.FailNext(2, http.StatusServiceUnavailable, ep) },
		"429":     func() { f.srv.RateLimitNext(2, "0", ep) },
		"dropped": func() { f.srv.DropNext(2, ep) },
	} {
		f.srv.ResetRequests()
		inject()
		tok, err := f.client.CreateM2MToken(t.Context())
		if err != nil || tok == nil || f.creates() != 3 {
			t.Errorf("%s twice: %v after %d requests; want a token after 3", name, err, f.creates())
		}
	}
	f.srv.ResetRequests()
	f.srv.FailNext(3, http.StatusInternalServerError, ep)
	if _, err := f.client.CreateM2MToken(t.Context()); !errors.Is(err, clerk.ErrServerError) || f.creates() != 3 {
		t.Errorf("500 on every attempt: %v after %d requests", err, f.creates())
	}
}

// TestCreateM2MTokenBadExpiry refuses answers a token source could not
// schedule a refresh for.
func TestCreateM2MTokenBadExpiry(t *testing.T) {
	now := time.Now()
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	answer := func(expiration, token string) string {
		m := map[string]json.RawMessage{
			"object": json.RawMessage(`"machine_to_machine_token"`), "id": json.RawMessage(`"mt_0123"`),
			"subject": json.RawMessage(`"mch_x"`), "scopes": json.RawMessage(`[]`), "claims": json.RawMessage(`null`),
			"revoked": json.RawMessage(`false`), "expired": json.RawMessage(`false`), "created_at": json.RawMessage(ms(now)),
		}
		if expiration != "" {
			m["expiration"] = json.RawMessage(expiration)
		}
		if token != "" {
			m["token"] = json.RawMessage(token)
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	good := `"mt_0123456789abcdef0123456789abcdef"`
	for name, body := range map[string]string{
		"null":        answer("null", good),
		"missing":     answer("", good),
		"past":        answer(ms(now.Add(-time.Minute)), good),
		"absurd":      answer(ms(now.Add(20*365*24*time.Hour)), good),
		"string":      answer(`"tomorrow"`, good),
		"negative":    answer("-5", good),
		"no token":    answer(ms(now.Add(time.Hour)), ""),
		"blank token": answer(ms(now.Add(time.Hour)), `"mt_ 1"`),
		"not json":    "<html>",
		"wrong kind":  `{"object":"token","jwt":"a.b.c"}`,
	} {
		api := newFakeAPI(t, statusReply(http.StatusCreated, body, "Content-Type", "application/json"))
		c, err := clerk.NewM2MClient(testMachineKey, clerk.WithAPIURL(api.URL))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.CreateM2MToken(t.Context())
		if tok != nil || !errors.Is(err, clerk.ErrInvalidResponse) {
			t.Errorf("%s: %v, %v; want ErrInvalidResponse", name, tok, err)
		}
		if n := len(api.requests()); n != 1 {
			t.Errorf("%s: %d requests; a bad answer is not retried", name, n)
		}
		c.CloseIdleConnections()
	}
}
