package main_test

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// build compiles the command once per test binary run into a temp dir, the
// way a user's `go build` would.
func build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "clerk-emulator")
	cmd := exec.CommandContext(t.Context(), goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects stderr while the process runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// run starts the command and returns a reader of its stdout, its stderr
// and a stop function that interrupts it and checks it exits cleanly.
func run(t *testing.T, bin string, args ...string) (*bufio.Reader, *lockedBuffer, func()) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	stopped := false
	stop := func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = io.Copy(io.Discard, stdout); done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exit after SIGINT: %v\nstderr: %s", err, stderr)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("did not exit within 10s of SIGINT")
		}
	}
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return bufio.NewReader(stdout), stderr, stop
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line := make(chan string, 1)
	go func() {
		s, _ := r.ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		return s
	case <-time.After(30 * time.Second):
		t.Fatal("no output within 30s")
	}
	return ""
}

type facts struct {
	APIURL         string `json:"api_url"`
	SecretKey      string `json:"secret_key"`
	PublishableKey string `json:"publishable_key"`
	Issuer         string `json:"issuer"`
	KeyID          string `json:"kid"`
	JWKSURL        string `json:"jwks_url"`
	PublicJWKSURL  string `json:"public_jwks_url"`
	PublicKeyPEM   string `json:"public_key_pem"`
	UserID         string `json:"user_id"`
	OrganizationID string `json:"organization_id"`
	SessionID      string `json:"session_id"`
	Template       string `json:"template"`
	SessionToken   string `json:"session_token"`
	TemplateToken  string `json:"template_token"`

	MachineID              string `json:"machine_id"`
	MachineSecretKey       string `json:"machine_secret_key"`
	TargetMachineID        string `json:"target_machine_id"`
	TargetMachineSecretKey string `json:"target_machine_secret_key"`
	M2MToken               string `json:"m2m_token"`
	M2MJWT                 string `json:"m2m_jwt"`
	APIKey                 string `json:"api_key"`
	OAuthClientID          string `json:"oauth_client_id"`
	OAuthToken             string `json:"oauth_token"`
}

func TestJSONOutput(t *testing.T) {
	bin := build(t)
	out, _, stop := run(t, bin, "-json", "-quiet", "-addr", "127.0.0.1:0")
	defer stop()
	var f facts
	dec := json.NewDecoder(strings.NewReader(readLine(t, out)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name, value, pattern string
	}{
		{"api_url", f.APIURL, `^http://127\.0\.0\.1:\d+$`},
		{"secret_key", f.SecretKey, `^sk_test_[A-Za-z0-9]{32,}$`},
		{"publishable_key", f.PublishableKey, `^pk_test_[A-Za-z0-9+/]+=*$`},
		{"issuer", f.Issuer, `^https://[a-z]+-[a-z]+-\d\d\.clerk\.accounts\.dev$`},
		{"kid", f.KeyID, `^ins_[A-Za-z0-9]+$`},
		{"user_id", f.UserID, `^user_`},
		{"organization_id", f.OrganizationID, `^org_`},
		{"session_id", f.SessionID, `^sess_`},
		{"template", f.Template, `^test$`},
		{"jwks_url", f.JWKSURL, `^` + regexp.QuoteMeta(f.APIURL) + `/v1/jwks$`},
		{"public_jwks_url", f.PublicJWKSURL, `^` + regexp.QuoteMeta(f.APIURL) + `/\.well-known/jwks\.json$`},
		{"machine_id", f.MachineID, `^mch_\w{27}$`},
		{"machine_secret_key", f.MachineSecretKey, `^ak_[0-9a-f]{32}$`},
		{"target_machine_id", f.TargetMachineID, `^mch_\w{27}$`},
		{"target_machine_secret_key", f.TargetMachineSecretKey, `^ak_[0-9a-f]{32}$`},
		{"m2m_token", f.M2MToken, `^mt_[0-9a-f]{32}$`},
		{"m2m_jwt", f.M2MJWT, `^eyJ[\w-]+\.[\w-]+\.[\w-]+$`},
		{"api_key", f.APIKey, `^ak_[0-9a-f]{32}$`},
		{"oauth_client_id", f.OAuthClientID, `^client_`},
		{"oauth_token", f.OAuthToken, `^oat_[0-9a-f]{32}$`},
	}
	for _, c := range checks {
		if !regexp.MustCompile(c.pattern).MatchString(c.value) {
			t.Errorf("%s = %q, want /%s/", c.name, c.value, c.pattern)
		}
	}
	host, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(f.PublishableKey, "pk_test_"))
	if "https://"+strings.TrimSuffix(string(host), "$") != f.Issuer {
		t.Errorf("publishable key host %q, issuer %q", host, f.Issuer)
	}

	// The printed tokens verify with the printed PEM key.
	block, _ := pem.Decode([]byte(f.PublicKeyPEM))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("public_key_pem = %q", f.PublicKeyPEM)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(token string) map[string]any {
		t.Helper()
		jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		if kid := jws.Signatures[0].Protected.KeyID; kid != f.KeyID {
			t.Errorf("token kid %q, want %q", kid, f.KeyID)
		}
		payload, err := jws.Verify(pub)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		return claims
	}
	sc := verify(f.SessionToken)
	if sc["sub"] != f.UserID || sc["sid"] != f.SessionID || sc["iss"] != f.Issuer || sc["azp"] != "http://localhost:3000" {
		t.Errorf("session token claims = %v", sc)
	}
	if o, _ := sc["o"].(map[string]any); o["id"] != f.OrganizationID || o["slg"] != "acme" || o["rol"] != "admin" {
		t.Errorf("session token o = %v", sc["o"])
	}
	mc := verify(f.M2MJWT)
	if mc["sub"] != f.MachineID || mc["scopes"] != f.TargetMachineID || mc["iss"] != f.Issuer || !strings.HasPrefix(mc["jti"].(string), "mt_") {
		t.Errorf("M2M JWT claims = %v", mc)
	}
	tc := verify(f.TemplateToken)
	if tc["name"] != "Ada Lovelace" || tc["role"] != "admin" || tc["greeting"] != "Hello, Ada!" || tc["org"] != "acme" || tc["email"] != "ada@example.com" {
		t.Errorf("template token claims = %v", tc)
	}

	// And the server answers with the printed key.
	get := func(method, url, body string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.SecretKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if method == http.MethodGet && !strings.Contains(string(b), f.KeyID) {
			t.Errorf("%s: body %s lacks kid", url, b)
		}
		return res.StatusCode
	}
	for _, c := range []struct{ method, url, body string }{
		{"GET", f.JWKSURL, ""},
		{"GET", f.PublicJWKSURL, ""},
		{"POST", f.APIURL + "/v1/sessions/" + f.SessionID + "/tokens", ""},
		{"POST", f.APIURL + "/v1/sessions/" + f.SessionID + "/tokens/test", `{"expires_in_seconds":3600}`},
		{"POST", f.APIURL + "/v1/api_keys/verify", `{"secret":"` + f.APIKey + `"}`},
		{"POST", f.APIURL + "/oauth_applications/access_tokens/verify", `{"access_token":"` + f.OAuthToken + `"}`},
	} {
		if got := get(c.method, c.url, c.body); got != http.StatusOK {
			t.Errorf("%s %s: %d", c.method, c.url, got)
		}
	}

	// The printed machine keys work: the machine mints, and the target
	// verifies the printed token, which is granted to it.
	machinePost := func(path, key, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.APIURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	if status, m := machinePost("/m2m_tokens/verify", f.TargetMachineSecretKey, `{"token":"`+f.M2MToken+`"}`); status != http.StatusOK || m["subject"] != f.MachineID {
		t.Errorf("verify printed M2M token with the target's key: %d %v", status, m)
	}
	if status, m := machinePost("/m2m_tokens", f.MachineSecretKey, `{}`); status != http.StatusCreated || m["subject"] != f.MachineID {
		t.Errorf("mint with the printed machine key: %d %v", status, m)
	}
}

func TestTextOutput(t *testing.T) {
	bin := build(t)
	out, stderr, stop := run(t, bin, "-addr", "127.0.0.1:0", "-frontend-api-host", "clerk.example.com", "-secret-key", "sk_test_emulatorTextOutputTest0123456789abcdef")
	var lines []string
	for {
		line := readLine(t, out)
		lines = append(lines, line)
		if strings.HasPrefix(line, "oauth access token") {
			lines = append(lines, readLine(t, out))
			break
		}
	}
	text := strings.Join(lines, "")
	url := regexp.MustCompile(`(?m)^CLERK_API_URL=(http://127\.0\.0\.1:\d+)$`).FindStringSubmatch(text)
	if url == nil {
		t.Fatalf("no CLERK_API_URL line in:\n%s", text)
	}
	for _, want := range []string{
		"CLERK_SECRET_KEY=sk_test_emulatorTextOutputTest0123456789abcdef\n",
		"CLERK_PUBLISHABLE_KEY=pk_test_" + base64.StdEncoding.EncodeToString([]byte("clerk.example.com$")) + "\n",
		`CLERK_JWT_KEY="-----BEGIN PUBLIC KEY-----\n`,
		"issuer:         https://clerk.example.com\n",
		"-----BEGIN PUBLIC KEY-----\n",
		"session token:\neyJ",
		"template token (test):\neyJ",
		"m2m token (opaque):\nmt_",
		"m2m token (JWT):\neyJ",
		"oauth access token (client_demo):\noat_",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	for _, pattern := range []string{
		`(?m)^machine:        mch_\w{27} \(may call the target machine\)$`,
		`(?m)^machine key:    ak_[0-9a-f]{32}$`,
		`(?m)^target machine: mch_\w{27}$`,
		`(?m)^target key:     ak_[0-9a-f]{32}$`,
		`(?m)^api key \(user_\w{27}\):\nak_[0-9a-f]{32}$`,
	} {
		if !regexp.MustCompile(pattern).MatchString(text) {
			t.Errorf("output does not match /%s/:\n%s", pattern, text)
		}
	}
	// A request is logged, without the secret key that authorized it.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url[1]+"/v1/jwks", nil)
	req.Header.Set("Authorization", "Bearer sk_test_emulatorTextOutputTest0123456789abcdef")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	stop()
	logs := stderr.String()
	if !strings.Contains(logs, "/v1/jwks") || strings.Contains(logs, "sk_test_") {
		t.Errorf("stderr = %q: want the request logged, never the key", logs)
	}
}

func TestBadAddress(t *testing.T) {
	bin := build(t)
	out, err := exec.CommandContext(t.Context(), bin, "-addr", "256.0.0.1:bad").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "clerk-emulator:") {
		t.Errorf("err = %v, output %q", err, out)
	}
}
