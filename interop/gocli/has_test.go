package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// The params of a check reach Has and Authorize as the requirements they
// name (the interop tests compare the answers with Clerk's has(); this
// checks the command itself), against a session token of the emulator's:
// an admin of the active organization, first factor verified 30 minutes
// ago, no second factor.
func TestHasChecks(t *testing.T) {
	srv := clerktest.Start(t)
	demo, err := srv.SeedDemo("test", clerktest.WithFactorAges(30, -1))
	if err != nil {
		t.Fatal(err)
	}
	session, err := srv.SessionToken(demo.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	setHasEnv(t, srv.PublicKeyPEM(), srv.PublishableKey())

	const staleHint = `{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}`
	checks := []struct {
		params string
		want   answer
	}{
		{`{}`, answer{SignedIn: true}},
		{`{"role":"org:admin"}`, answer{Has: true, SignedIn: true}},
		{`{"role":"admin","reverification":{"level":"first_factor","afterMinutes":31}}`, answer{Has: true, SignedIn: true}},
		{`{"role":"admin","reverification":{"level":"first_factor","afterMinutes":30}}`, answer{SignedIn: true, Status: 403,
			Hint: json.RawMessage(`{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"first_factor","afterMinutes":30}}}}`)}},
		{`{"role":"admin","reverification":"strict"}`, answer{SignedIn: true, Status: 403, Hint: json.RawMessage(staleHint)}},
		{`{"role":"member","reverification":"strict"}`, answer{SignedIn: true, Status: 403}},
		{`{"role":""}`, answer{SignedIn: true, Status: 403, Invalid: clerk.Role("").Err().Error()}},
		{`{"feature":"x:export"}`, answer{SignedIn: true, Status: 403, Invalid: clerk.Feature("x:export").Err().Error()}},
		{`{"reverification":"extreme"}`, answer{SignedIn: true, Status: 403, Invalid: clerk.Reverification("extreme").Err().Error()}},
	}
	lines := make([]string, 0, len(checks)+1)
	for _, c := range checks {
		lines = append(lines, `{"token":"`+session+`","params":`+c.params+`}`)
	}
	lines = append(lines, `{"params":{"role":"admin"}}`) // no token
	want := make([]answer, 0, len(lines))
	for _, c := range checks {
		want = append(want, c.want)
	}
	want = append(want, answer{Reason: clerk.ReasonSessionTokenMissing, Status: 401})

	got := runHas(t, lines)
	for i := range want {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		if string(g) != string(w) {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
}

// A line the command cannot read is a usage error, never an answer: a
// misspelt member would otherwise ask nothing and read as "false".
func TestHasRefusesWhatItCannotRead(t *testing.T) {
	srv := clerktest.Start(t)
	setHasEnv(t, srv.PublicKeyPEM(), "")
	for _, line := range []string{
		`{"token":"x","params":{"rol":"admin"}}`,
		`{"token":"x","params":{"reverification":{"level":"first_factor"}}}`,
		`{"token":"x","params":{"reverification":{"level":"first_factor","afterMinutes":1,"x":1}}}`,
		`{"token":"x","params":{"reverification":7}}`,
		`not json`,
	} {
		var stdout, stderr bytes.Buffer
		if code := has(nil, strings.NewReader(line+"\n"), &stdout, &stderr); code != 2 || stdout.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q; want 2 and nothing", line, code, stdout.String())
		}
	}

	t.Setenv(clerk.EnvJWTKey, "")
	var stdout, stderr bytes.Buffer
	if code := has(nil, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Errorf("without %s: exit %d, want 2", clerk.EnvJWTKey, code)
	}
}

func setHasEnv(t *testing.T, jwtKey, publishableKey string) {
	t.Helper()
	t.Setenv(clerk.EnvJWTKey, jwtKey)
	t.Setenv(clerk.EnvPublishableKey, publishableKey)
	t.Setenv(clerk.EnvAuthorizedParties, "")
}

func runHas(t *testing.T, lines []string) []answer {
	t.Helper()
	var stdout, stderr bytes.Buffer
	in := strings.NewReader(strings.Join(lines, "\n") + "\n")
	if code := has(nil, in, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out []answer
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var a answer
		if err := dec.Decode(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if len(out) != len(lines) {
		t.Fatalf("%d answers for %d lines", len(out), len(lines))
	}
	return out
}
