package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// The input line forms reach the Authenticator as the requests they name,
// against the emulator (the interop tests compare the results with Clerk's
// SDK; this checks the command itself).
func TestAuthenticateLineForms(t *testing.T) {
	srv := clerktest.Start(t)
	demo, err := srv.SeedDemo("test")
	if err != nil {
		t.Fatal(err)
	}
	m, err := srv.AddMachine(clerktest.Machine{Name: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	m2m, err := srv.CreateM2MToken(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	key, err := srv.CreateAPIKey(demo.UserID, "cli-key", clerktest.MachineTokenScopes("read"))
	if err != nil {
		t.Fatal(err)
	}
	session, err := srv.SessionToken(demo.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(clerk.EnvSecretKey, srv.SecretKey())
	t.Setenv(clerk.EnvAPIURL, srv.URL)
	t.Setenv(clerk.EnvPublishableKey, srv.PublishableKey())
	t.Setenv(clerk.EnvJWTKey, "")
	t.Setenv(clerk.EnvAuthorizedParties, "")

	lines := []string{
		m2m.Token,
		"Bearer " + key.Secret,
		"authorization:" + m2m.Token, // no Bearer scheme: no token
		// What a browser sends on the emulator's development instance:
		// __client_uat and the dev browser beside the session.
		"cookie:__session=" + session + "; __client_uat=1; __clerk_db_jwt=dvb_1",
		"cookie:__session=" + m2m.Token + "; __client_uat=1; __clerk_db_jwt=dvb_1", // machine tokens never come from cookies
		"",
	}
	want := []caller{
		{Authenticated: true, TokenType: clerk.TokenTypeM2MToken, Subject: m.ID},
		{Authenticated: true, TokenType: clerk.TokenTypeAPIKey, Subject: demo.UserID, Name: "cli-key", Scopes: []string{"read"}},
		{Reason: clerk.ReasonSessionTokenMissing},
		{Authenticated: true, TokenType: clerk.TokenTypeSessionToken, Subject: demo.UserID, SessionID: demo.SessionID},
		{TokenType: clerk.TokenTypeM2MToken, Reason: clerk.ReasonTokenTypeMismatch},
		{Reason: clerk.ReasonSessionTokenMissing},
	}
	got := runAuthenticate(t, []string{"-accepts", "session_token, m2m_token,api_key"}, lines)
	for i := range want {
		g := got[i]
		if g.Authenticated && g.TokenType != clerk.TokenTypeSessionToken && g.ID == "" {
			t.Errorf("line %d: no token id", i)
		}
		g.ID, g.Message = "", ""
		if !equalCallers(g, want[i]) {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, g, want[i])
		}
	}
}

// An accepts list naming no token type is a usage error; a name that is
// no TokenType is passed on and fails closed.
func TestAuthenticateAccepts(t *testing.T) {
	srv := clerktest.Start(t)
	t.Setenv(clerk.EnvSecretKey, srv.SecretKey())
	t.Setenv(clerk.EnvAPIURL, srv.URL)
	t.Setenv(clerk.EnvPublishableKey, "")
	t.Setenv(clerk.EnvJWTKey, "")
	t.Setenv(clerk.EnvAuthorizedParties, "")

	var stdout, stderr bytes.Buffer
	if code := authenticate([]string{"-accepts", "m2m_token,,api_key"}, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Fatalf("empty type in the list: exit %d, want 2", code)
	}

	m, err := srv.AddMachine(clerktest.Machine{Name: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	m2m, err := srv.CreateM2MToken(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := runAuthenticate(t, []string{"-accepts", "m2m_tokens"}, []string{m2m.Token})
	if got[0].Authenticated || got[0].Reason != clerk.ReasonTokenTypeMismatch {
		t.Fatalf("misspelt type: %+v, want token-type-mismatch", got[0])
	}
}

func runAuthenticate(t *testing.T, args, lines []string) []caller {
	t.Helper()
	var stdout, stderr bytes.Buffer
	in := strings.NewReader(strings.Join(lines, "\n") + "\n")
	if code := authenticate(args, in, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out []caller
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var c caller
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if len(out) != len(lines) {
		t.Fatalf("%d answers for %d lines", len(out), len(lines))
	}
	return out
}

func equalCallers(a, b caller) bool {
	as, _ := json.Marshal(a)
	bs, _ := json.Marshal(b)
	return string(as) == string(bs)
}
