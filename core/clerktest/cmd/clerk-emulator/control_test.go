package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// controlSession starts a seeded server and feeds script to the control
// channel, returning one reply per non-blank line.
func controlSession(t *testing.T, script string) (*clerktest.Server, info, []controlReply) {
	t.Helper()
	srv := clerktest.NewServer()
	t.Cleanup(srv.Close)
	f, err := seed(srv, "http://localhost:3000", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := serveControl(strings.NewReader(script), &out, srv, f); err != nil {
		t.Fatal(err)
	}
	var replies []controlReply
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	for {
		var r controlReply
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, r)
	}
	return srv, f, replies
}

// tokenRequest posts to the template endpoint and returns the answer's
// status and Retry-After header.
func tokenRequest(t *testing.T, srv *clerktest.Server, f info) (status int, retryAfter string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1/sessions/"+f.SessionID+"/tokens/test", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Retry-After")
}

func TestControlFaults(t *testing.T) {
	srv, f, replies := controlSession(t, "rate-limit-next 1 7\n\nfail-next 1 503\n")
	if len(replies) != 2 || !replies[0].OK || !replies[1].OK {
		t.Fatalf("replies = %+v", replies)
	}
	// Faults apply in the order queued, to token requests only.
	if status, retryAfter := tokenRequest(t, srv, f); status != http.StatusTooManyRequests || retryAfter != "7" {
		t.Errorf("first: %d, Retry-After %q", status, retryAfter)
	}
	if status, _ := tokenRequest(t, srv, f); status != http.StatusServiceUnavailable {
		t.Errorf("second: %d", status)
	}
	if status, _ := tokenRequest(t, srv, f); status != http.StatusOK {
		t.Errorf("third: %d", status)
	}
}

func TestControlClearFaults(t *testing.T) {
	srv, f, replies := controlSession(t, "rate-limit-next 5\nclear-faults\n")
	if len(replies) != 2 || !replies[0].OK || !replies[1].OK {
		t.Fatalf("replies = %+v", replies)
	}
	if status, _ := tokenRequest(t, srv, f); status != http.StatusOK {
		t.Errorf("after clear-faults: %d", status)
	}
}

func TestControlTokens(t *testing.T) {
	_, f, replies := controlSession(t, "session-token\nsession-token expired\nsession-token not-yet-valid\ntemplate-token\ntemplate-token expired\n")
	if len(replies) != 5 {
		t.Fatalf("replies = %+v", replies)
	}
	now := time.Now().Unix()
	for i, c := range []struct {
		cat     string
		check   func(iat, nbf, exp int64) bool
		explain string
	}{
		{clerktest.CategorySessionToken, func(iat, nbf, exp int64) bool { return nbf <= now && exp > now }, "valid now"},
		{clerktest.CategorySessionToken, func(iat, nbf, exp int64) bool { return exp < now-30 }, "expired well beyond skew"},
		{clerktest.CategorySessionToken, func(iat, nbf, exp int64) bool { return nbf > now+30 && iat > now+30 }, "nbf and iat well ahead"},
		{clerktest.CategoryTemplateToken, func(iat, nbf, exp int64) bool { return nbf <= now && exp > now }, "valid now"},
		{clerktest.CategoryTemplateToken, func(iat, nbf, exp int64) bool { return exp < now-30 }, "expired well beyond skew"},
	} {
		r := replies[i]
		if !r.OK || r.Token == "" {
			t.Errorf("reply %d = %+v", i, r)
			continue
		}
		parts := strings.Split(r.Token, ".")
		var header struct{ Cat string }
		var claims struct {
			Sub           string
			Iat, Nbf, Exp int64
		}
		decode(t, parts[0], &header)
		decode(t, parts[1], &claims)
		if header.Cat != c.cat || claims.Sub != f.UserID || !c.check(claims.Iat, claims.Nbf, claims.Exp) {
			t.Errorf("token %d: cat %s, claims %+v, want %s and %s", i, header.Cat, claims, c.cat, c.explain)
		}
	}
}

func TestControlMachineTokens(t *testing.T) {
	srv, f, replies := controlSession(t, strings.Join([]string{
		"machine-token m2m", "machine-token m2m revoked", "machine-token m2m-jwt expired",
		"machine-token api-key expired", "machine-token oauth revoked", "machine-token oauth-jwt",
		"machine-token m2m-jwt revoked", "machine-token session", "machine-token api-key soon", "machine-token",
	}, "\n"))
	if len(replies) != 10 {
		t.Fatalf("replies = %+v", replies)
	}
	for i, r := range replies[:6] {
		if !r.OK || r.Token == "" {
			t.Fatalf("reply %d = %+v", i, r)
		}
	}
	// A revoked JWT cannot exist, and bad kinds or modes are refused.
	for i, r := range replies[6:] {
		if r.OK || r.Error == "" {
			t.Errorf("reply %d = %+v, want an error", i+6, r)
		}
	}
	verify := func(path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.TargetMachineSecretKey)
		if !strings.HasPrefix(path, "/m2m") {
			req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = res.Body.Close() }()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", path, res.StatusCode, m)
		}
		return m
	}
	if m := verify("/m2m_tokens/verify", `{"token":"`+replies[0].Token+`"}`); m["revoked"] != false || m["subject"] != f.MachineID {
		t.Errorf("m2m valid: %v", m)
	}
	if m := verify("/m2m_tokens/verify", `{"token":"`+replies[1].Token+`"}`); m["revoked"] != true {
		t.Errorf("m2m revoked: %v", m)
	}
	var claims struct{ Sub string }
	decode(t, strings.Split(replies[2].Token, ".")[1], &claims)
	if claims.Sub != f.MachineID {
		t.Errorf("m2m-jwt sub %q", claims.Sub)
	}
	if m := verify("/api_keys/verify", `{"secret":"`+replies[3].Token+`"}`); m["expired"] != true || m["subject"] != f.UserID {
		t.Errorf("api-key expired: %v", m)
	}
	if m := verify("/oauth_applications/access_tokens/verify", `{"access_token":"`+replies[4].Token+`"}`); m["revoked"] != true || m["client_id"] != f.OAuthClientID {
		t.Errorf("oauth revoked: %v", m)
	}
	if m := verify("/oauth_applications/access_tokens/verify", `{"access_token":"`+replies[5].Token+`"}`); m["expired"] != false || m["subject"] != f.UserID {
		t.Errorf("oauth-jwt: %v", m)
	}
}

func decode(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestControlErrors(t *testing.T) {
	_, _, replies := controlSession(t, strings.Join([]string{
		"launch-missiles",
		"rate-limit-next",
		"rate-limit-next 0",
		"rate-limit-next x",
		"rate-limit-next 1 2 3",
		"fail-next 1",
		"fail-next 1 200",
		"clear-faults now",
		"session-token later",
		"template-token valid extra",
	}, "\n"))
	if len(replies) != 10 {
		t.Fatalf("%d replies, want 10", len(replies))
	}
	for i, r := range replies {
		if r.OK || r.Error == "" || r.Token != "" {
			t.Errorf("reply %d = %+v, want an error", i, r)
		}
	}
}
