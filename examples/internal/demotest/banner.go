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
// run: every curl command it prints must answer 200 with a token.
func CheckBannerCommands(t *testing.T, baseURL string, app *demo.App) {
	t.Helper()
	out, err := renderBanner(app, baseURL)
	if err != nil {
		t.Fatal(err)
	}
	var commands int
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "curl -s -H 'Authorization: Bearer ") && !strings.HasPrefix(line, "curl -s --cookie '__session=") {
			continue
		}
		commands++
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
		checkTokenBody(t, body, app)
	}
	if commands != 2 {
		t.Errorf("banner printed %d curl commands with a token, want 2:\n%s", commands, out)
	}
}
