package demotest

import (
	"errors"
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// renderBanner renders the banner of app and checks that it says which
// Clerk the example talks to.
func renderBanner(app *demo.App, baseURL string) (string, error) {
	var b strings.Builder
	if err := app.PrintBanner(&b, "test", baseURL); err != nil {
		return "", err
	}
	out := b.String()
	offline := strings.Contains(out, "OFFLINE MODE")
	if offline != (app.Offline != nil) {
		return out, errors.New("banner does not say whether the example is offline:\n" + out)
	}
	return out, nil
}

// CheckBannerCommands runs what the offline banner tells a newcomer to
// run: every curl command it prints must work, the session ones answering
// 200 with a token and the machine ones 200 with who the caller is, one
// command for each seeded machine credential.
func CheckBannerCommands(t *testing.T, baseURL string, app *demo.App) {
	t.Helper()
	out, err := renderBanner(app, baseURL)
	if err != nil {
		t.Fatal(err)
	}
	machineBodies := seededMachineBodies(app)
	var sessionCommands int
	machineCommands := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "curl -s -H 'Authorization: Bearer ") && !strings.HasPrefix(line, "curl -s --cookie '__session=") {
			continue
		}
		url := line[strings.LastIndexByte(line, ' ')+1:]
		quoted := line[strings.IndexByte(line, '\'')+1 : strings.LastIndexByte(line, '\'')]
		var status int
		var body string
		if token, ok := strings.CutPrefix(quoted, "__session="); ok {
			status, body = get(t, url, "", token)
		} else {
			status, body = get(t, url, strings.TrimPrefix(quoted, "Authorization: "), "")
		}
		if status != 200 {
			t.Errorf("%s… answered %d %s", line[:40], status, body)
			continue
		}
		if !strings.HasSuffix(url, demo.MachinePath) {
			sessionCommands++
			checkTokenBody(t, body, app)
			continue
		}
		token := strings.TrimPrefix(quoted, "Authorization: Bearer ")
		want, ok := machineBodies[token]
		if !ok {
			t.Errorf("%s… carries no seeded machine credential", line[:40])
			continue
		}
		machineCommands[token]++
		if body != want {
			t.Errorf("%s… answered %s, want %s", line[:40], body, want)
		}
	}
	if sessionCommands != 2 {
		t.Errorf("banner printed %d curl commands with a session token, want 2:\n%s", sessionCommands, out)
	}
	for token := range machineBodies {
		if n := machineCommands[token]; n != 1 {
			t.Errorf("banner printed %d curl commands with the machine credential %.6s…, want 1:\n%s", n, token, out)
		}
	}
}
