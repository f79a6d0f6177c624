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
// run: every curl command it prints must work. The getToken routes answer
// 200 with a token, one command with a Bearer header and one with a
// browser's cookies; the admin route answers the demo user (its admin) 200
// with who she is and the member 403, by header and by cookies each; the
// machine route answers 200 with who the caller is, one command for each
// seeded machine credential.
func CheckBannerCommands(t *testing.T, baseURL string, app *demo.App) {
	t.Helper()
	out, err := renderBanner(app, baseURL)
	if err != nil {
		t.Fatal(err)
	}
	machineBodies := seededMachineBodies(app)
	o := app.Offline
	adminWants := map[string]struct {
		status int
		body   string
	}{
		o.Demo.UserID:   {200, adminJSON(o.Demo.UserID, o.Demo.OrganizationID)},
		o.Member.UserID: {403, forbiddenJSON},
	}
	sessionCommands := map[string]int{} // by how the token is sent
	adminCommands := map[string]int{}   // by user and how
	machineCommands := map[string]int{} // by credential
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "curl -s -H 'Authorization: Bearer ") && !strings.HasPrefix(line, "curl -s --cookie '__session=") {
			continue
		}
		url := line[strings.LastIndexByte(line, ' ')+1:]
		quoted := line[strings.IndexByte(line, '\'')+1 : strings.LastIndexByte(line, '\'')]
		var status int
		var body, token, how string
		if cookies, ok := strings.CutPrefix(quoted, "__session="); ok {
			// curl sends --cookie's string as the Cookie header.
			status, body = get(t, url, "", quoted)
			token, _, _ = strings.Cut(cookies, ";")
			how = "cookies"
		} else {
			status, body = get(t, url, strings.TrimPrefix(quoted, "Authorization: "), "")
			token = strings.TrimPrefix(quoted, "Authorization: Bearer ")
			how = "header"
		}
		switch {
		case strings.HasSuffix(url, demo.MachinePath):
			want, ok := machineBodies[token]
			if !ok {
				t.Errorf("%s… carries no seeded machine credential", line[:40])
				continue
			}
			machineCommands[token]++
			if status != 200 || body != want {
				t.Errorf("%s… answered %d %s, want 200 %s", line[:40], status, body, want)
			}
		case strings.HasSuffix(url, demo.AdminPath):
			_, claims := decodeJWT(t, token)
			user, _ := claims["sub"].(string)
			want, ok := adminWants[user]
			if !ok {
				t.Errorf("%s… carries a session of %q, no seeded user", line[:40], user)
				continue
			}
			adminCommands[user+" "+how]++
			if status != want.status || body != want.body {
				t.Errorf("%s… answered %d %s, want %d %s", line[:40], status, body, want.status, want.body)
			}
		default:
			sessionCommands[how]++
			if status != 200 {
				t.Errorf("%s… answered %d %s", line[:40], status, body)
				continue
			}
			checkTokenBody(t, body, app)
		}
	}
	for _, how := range []string{"header", "cookies"} {
		if n := sessionCommands[how]; n != 1 {
			t.Errorf("banner printed %d getToken curl commands with the session token in %s, want 1:\n%s", n, how, out)
		}
		for user := range adminWants {
			if n := adminCommands[user+" "+how]; n != 1 {
				t.Errorf("banner printed %d admin route curl commands for %s with %s, want 1:\n%s", n, user, how, out)
			}
		}
	}
	for token := range machineBodies {
		if n := machineCommands[token]; n != 1 {
			t.Errorf("banner printed %d curl commands with the machine credential %.6s…, want 1:\n%s", n, token, out)
		}
	}
}
