package demo

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	clerk "github.com/clerkkit/clerkkit/core"
)

// Routes every example serves, named after Clerk's Next.js examples.
const (
	// AppRouterPath mirrors the App Router route handler.
	AppRouterPath = "/api/get-token-example"
	// PagesRouterPath mirrors the Pages Router API route.
	PagesRouterPath = "/api/getToken"
	// SessionPath only authenticates: it answers who is signed in, without
	// minting anything.
	SessionPath = "/api/session"
	// SessionTokenPath mints a fresh demo session token; offline mode only.
	SessionTokenPath = "/offline/session-token"
)

// BaseURL turns a listener address into a URL for curl commands.
func BaseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip == nil || ip.IsUnspecified() || ip.IsLoopback() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// PrintBanner tells the person who started the example what to do next.
// Offline, it prints copy-paste curl commands carrying a fresh session token
// for the routes, as a Bearer header and in the cookies a browser sends,
// for the admin route as a user who passes its guard and as one who does
// not, how to get another token once that one expires, and commands for the
// machine route with each kind of machine credential.
func (a *App) PrintBanner(w io.Writer, framework, baseURL string) error {
	var b strings.Builder
	if a.Offline == nil {
		fmt.Fprintf(&b, "clerkkit %s example: talking to Clerk at the configured instance (template %q)\n", framework, a.Template)
		fmt.Fprintf(&b, "Listening on %s\n", baseURL)
		fmt.Fprintf(&b, "Send a Clerk session token from your front end, as a Bearer header or in the cookies a browser sends\n")
		fmt.Fprintf(&b, "(__client_uat is when it signed in, at or before the token's iat; a development instance also needs __clerk_db_jwt):\n")
		fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer <session token>\" %s%s\n", baseURL, AppRouterPath)
		fmt.Fprintf(&b, "  curl --cookie \"__session=<session token>; __client_uat=<Unix time>\" %s%s\n", baseURL, PagesRouterPath)
		fmt.Fprintf(&b, "Admins of the active organization (role org:admin) get 200, other signed-in users 403:\n")
		fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer <session token>\" %s%s\n", baseURL, AdminPath)
		fmt.Fprintf(&b, "Machine callers send an M2M token or an API key:\n")
		fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer <M2M token or API key>\" %s%s\n", baseURL, MachinePath)
		if a.ReasonHeader {
			fmt.Fprintf(&b, "%s is on: a refused request says why in the %s header (curl -i), and the reason is logged at debug level.\n", EnvDebugReasons, clerk.ReasonHeader)
		} else {
			fmt.Fprintf(&b, "A 401 and no idea why? Restart with %s=1: the reason goes to the %s header and the log.\n", EnvDebugReasons, clerk.ReasonHeader)
		}
		fmt.Fprintf(&b, "Probes: %s%s (process up), %s%s (Clerk's keys loaded)\n", baseURL, HealthzPath, baseURL, ReadyzPath)
		_, err := io.WriteString(w, b.String())
		return err
	}
	o := a.Offline
	token, err := o.SessionToken()
	if err != nil {
		return err
	}
	memberToken, err := o.Token(o.Member.SessionID)
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "clerkkit %s example: OFFLINE MODE\n", framework)
	fmt.Fprintf(&b, "CLERK_SECRET_KEY is not set, so a built-in Clerk emulator stands in for Clerk.\n")
	fmt.Fprintf(&b, "Set CLERK_SECRET_KEY (and optionally CLERK_JWT_KEY, CLERK_PUBLISHABLE_KEY) to use your own instance.\n\n")
	fmt.Fprintf(&b, "Listening on %s\n", baseURL)
	fmt.Fprintf(&b, "Demo user %s (Ada, admin of acme), session %s, JWT template %q\n", o.Demo.UserID, o.Demo.SessionID, a.Template)
	fmt.Fprintf(&b, "Second user %s (Grace, member of acme, not an admin), session %s\n\n", o.Member.UserID, o.Member.SessionID)
	fmt.Fprintf(&b, "App Router route, session token as a Bearer header:\n")
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' %s%s\n\n", token, baseURL, AppRouterPath)
	fmt.Fprintf(&b, "Pages Router route, session token in the cookies a browser sends: __session, __client_uat\n")
	fmt.Fprintf(&b, "(when it signed in; without it the session cookie is refused) and the dev browser __clerk_db_jwt:\n")
	fmt.Fprintf(&b, "  curl -s --cookie '%s' %s%s\n\n", o.BrowserCookies(token), baseURL, PagesRouterPath)
	fmt.Fprintf(&b, "Admin route, organization role org:admin. Ada is an admin: 200 with who she is.\n")
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' %s%s\n", token, baseURL, AdminPath)
	fmt.Fprintf(&b, "  curl -s --cookie '%s' %s%s\n", o.BrowserCookies(token), baseURL, AdminPath)
	fmt.Fprintf(&b, "Grace is not: 403 {\"message\":\"Forbidden\"}.\n")
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' %s%s\n", memberToken, baseURL, AdminPath)
	fmt.Fprintf(&b, "  curl -s --cookie '%s' %s%s\n\n", o.BrowserCookies(memberToken), baseURL, AdminPath)
	fmt.Fprintf(&b, "Session tokens expire after 60 s. Fresh token (Ada's) on every call:\n")
	fmt.Fprintf(&b, "  curl -s -H \"Authorization: Bearer $(curl -s %s%s)\" %s%s\n", baseURL, SessionTokenPath, baseURL, AppRouterPath)
	fmt.Fprintf(&b, "A refused request says why in the %s header (curl -i shows it);\n", clerk.ReasonHeader)
	fmt.Fprintf(&b, "with %s=1 the reason is logged too.\n", EnvDebugReasons)
	if os.Getenv(EnvHost) == "" {
		fmt.Fprintf(&b, "Listening on loopback only, as %s hands out session tokens: %s=0.0.0.0 opens it to the network.\n", SessionTokenPath, EnvHost)
	}
	fmt.Fprintf(&b, "Probes: %s%s (process up), %s%s (keys loaded).\n\n", baseURL, HealthzPath, baseURL, ReadyzPath)
	o.writeMachineCommands(&b, baseURL)
	_, err = io.WriteString(w, b.String())
	return err
}

// writeMachineCommands prints a curl command for MachinePath per seeded
// machine credential: opaque M2M token, M2M JWT, API key.
func (o *Offline) writeMachineCommands(b *strings.Builder, baseURL string) {
	m := o.Machines
	fmt.Fprintf(b, "Machine route (M2M tokens and API keys; a session token gets 401).\n")
	fmt.Fprintf(b, "Opaque M2M token of machine %q (%s), verified by Clerk:\n", m.Worker.Name, m.Worker.ID)
	fmt.Fprintf(b, "  curl -s -H 'Authorization: Bearer %s' %s%s\n", m.M2MToken.Token, baseURL, MachinePath)
	fmt.Fprintf(b, "M2M JWT of the same machine, verified with the instance's keys:\n")
	fmt.Fprintf(b, "  curl -s -H 'Authorization: Bearer %s' %s%s\n", m.M2MJWT.Token, baseURL, MachinePath)
	fmt.Fprintf(b, "API key %q of the demo user, scopes %s:\n", m.APIKey.Name, strings.Join(m.APIKey.Scopes, " "))
	fmt.Fprintf(b, "  curl -s -H 'Authorization: Bearer %s' %s%s\n", m.APIKey.Secret, baseURL, MachinePath)
	fmt.Fprintf(b, "M2M tokens expire after %.0f h; the API key lasts until revoked.\n", machineTokenLifetime.Hours())
}
