package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// callLine is one call as run prints it.
var callLine = regexp.MustCompile(`^call (\d+): token (mt_[0-9a-f]{32}) \((minted|reused), expires in [^)]+\) -> (\d{3}) (.*)$`)

// answer is the machine route's 200 body.
type answer struct {
	TokenType string   `json:"tokenType"`
	ID        string   `json:"id"`
	Subject   string   `json:"subject"`
	Scopes    []string `json:"scopes"`
}

// checkCalls checks the call lines of out: calls 200s, the route saw the
// token printed, from caller with callee in its scopes, minted for the
// first call and reused after. It returns the token id.
func checkCalls(t *testing.T, out, caller, callee string) string {
	t.Helper()
	var id string
	n := 0
	for _, line := range strings.Split(out, "\n") {
		m := callLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		wantHow := "reused"
		if n == 1 {
			wantHow, id = "minted", m[2]
		}
		if m[1] != strconv.Itoa(n) || m[3] != wantHow || m[2] != id || m[4] != "200" {
			t.Errorf("call line %q: want call %d, token %s %s, status 200", line, n, id, wantHow)
		}
		var a answer
		if err := json.Unmarshal([]byte(m[5]), &a); err != nil {
			t.Fatalf("answer of call %d is not JSON: %v", n, err)
		}
		want := answer{TokenType: "m2m_token", ID: m[2], Subject: caller, Scopes: []string{callee}}
		if a.TokenType != want.TokenType || a.ID != want.ID || a.Subject != want.Subject || !slices.Equal(a.Scopes, want.Scopes) {
			t.Errorf("call %d: the route answered %+v, want %+v", n, a, want)
		}
	}
	if n != calls {
		t.Fatalf("%d call lines, want %d in:\n%s", n, calls, out)
	}
	if !strings.Contains(out, "3 calls, 1 create call(s) to Clerk\n") {
		t.Errorf("output does not count 3 calls and 1 create:\n%s", out)
	}
	return id
}

// noEnv is an environment without any variable: offline mode, whatever
// the shell running the test holds.
func noEnv(string) string { return "" }

func TestOffline(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), noEnv, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`caller machine (mch_\w+) \(demo-worker\) may call (mch_\w+) \(demo-api\), which serves http://localhost:\d+/api/machine\n`).
		FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no machines line in:\n%s", out.String())
	}
	checkCalls(t, out.String(), m[1], m[2])
	if !strings.Contains(out.String(), "the emulator received 1 create request(s)\n") {
		t.Errorf("the emulator's count is not 1:\n%s", out.String())
	}
	if strings.Contains(out.String(), "Bearer") {
		t.Errorf("output shows an Authorization header:\n%s", out.String())
	}
}

// TestAgainstAnotherBackendAPI runs real mode against an emulator started
// here, reached through the variables a deployment sets, and a machine
// route served by the test: the token never appears in the output.
func TestAgainstAnotherBackendAPI(t *testing.T) {
	emu := clerktest.Start(t)
	callee, err := emu.AddMachine(clerktest.Machine{Name: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := emu.AddMachine(clerktest.Machine{Name: "billing", Scopes: []string{callee.ID}})
	if err != nil {
		t.Fatal(err)
	}
	target, stop, err := startService(t.Context(), emu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stopping the service: %v", err)
		}
	})
	t.Setenv(clerk.EnvMachineSecretKey, caller.SecretKey)
	t.Setenv(clerk.EnvAPIURL, emu.URL)
	t.Setenv(clerk.EnvAPIVersion, "")
	t.Setenv(EnvTargetURL, target)

	var out bytes.Buffer
	if err := run(t.Context(), os.Getenv, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.HasPrefix(out.String(), "calling "+target+" with M2M tokens minted by Clerk\n") {
		t.Errorf("output does not start with the target:\n%s", out.String())
	}
	id := checkCalls(t, out.String(), caller.ID, callee.ID)
	if n := emu.Requests(clerktest.EndpointCreateM2MToken); n != 1 {
		t.Errorf("the Backend API received %d create requests, want 1", n)
	}
	tok, ok := emu.M2MToken(id)
	if !ok {
		t.Fatalf("the printed id %s is no token of the Backend API", id)
	}
	if tok.Token == id || strings.Contains(out.String(), tok.Token) {
		t.Errorf("the output shows the token (or the id is the token):\n%s", out.String())
	}
}

func TestRealModeNeedsATarget(t *testing.T) {
	env := map[string]string{clerk.EnvMachineSecretKey: "ak_0123456789abcdef0123456789abcdef"}
	err := run(t.Context(), func(k string) string { return env[k] }, new(bytes.Buffer))
	if !errors.Is(err, errNoTarget) || !strings.Contains(err.Error(), "M2M_TARGET_URL") {
		t.Errorf("without M2M_TARGET_URL: %v, want an error naming it", err)
	}
	env[EnvTargetURL] = "orders.internal/v1/orders"
	err = run(t.Context(), func(k string) string { return env[k] }, new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "M2M_TARGET_URL must be an http or https URL") {
		t.Errorf("with a target without scheme: %v, want an error naming M2M_TARGET_URL", err)
	}
}

func TestRealModeRefusesAnInstanceKey(t *testing.T) {
	t.Setenv(clerk.EnvMachineSecretKey, "sk_test_0123456789abcdef")
	t.Setenv(EnvTargetURL, "http://127.0.0.1:1/api/machine")
	var out bytes.Buffer
	err := run(t.Context(), os.Getenv, &out)
	if err == nil || !strings.Contains(err.Error(), clerk.EnvMachineSecretKey) {
		t.Errorf("with an instance secret key: %v, want an error naming %s", err, clerk.EnvMachineSecretKey)
	}
	if strings.Contains(err.Error(), "0123456789abcdef") || out.Len() != 0 {
		t.Errorf("the key leaked or something was printed: %v / %q", err, out.String())
	}
}
