package demo

import (
	"fmt"
	"io"
	"net"
	"strings"
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
// for both routes, how to get another token once that one expires, and
// commands for the machine route with each kind of machine credential.
func (a *App) PrintBanner(w io.Writer, framework, baseURL string) error {
	var b strings.Builder
	if a.Offline == nil {
		fmt.Fprintf(&b, "clerkkit %s example: talking to Clerk at the configured instance (template %q)\n", framework, a.Template)
		fmt.Fprintf(&b, "Listening on %s\n", baseURL)
		fmt.Fprintf(&b, "Send a Clerk session token from your front end:\n")
		fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer <session token>\" %s%s\n", baseURL, AppRouterPath)
		fmt.Fprintf(&b, "  curl --cookie \"__session=<session token>\" %s%s\n", baseURL, PagesRouterPath)
		fmt.Fprintf(&b, "Machine callers send an M2M token or an API key:\n")
		fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer <M2M token or API key>\" %s%s\n", baseURL, MachinePath)
		_, err := io.WriteString(w, b.String())
		return err
	}
	token, err := a.Offline.SessionToken()
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "clerkkit %s example: OFFLINE MODE\n", framework)
	fmt.Fprintf(&b, "CLERK_SECRET_KEY is not set, so a built-in Clerk emulator stands in for Clerk.\n")
	fmt.Fprintf(&b, "Set CLERK_SECRET_KEY (and optionally CLERK_JWT_KEY, CLERK_PUBLISHABLE_KEY) to use your own instance.\n\n")
	fmt.Fprintf(&b, "Listening on %s\n", baseURL)
	fmt.Fprintf(&b, "Demo user %s, session %s, JWT template %q\n\n", a.Offline.Demo.UserID, a.Offline.Demo.SessionID, a.Template)
	fmt.Fprintf(&b, "App Router route, session token as a Bearer header:\n")
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' %s%s\n\n", token, baseURL, AppRouterPath)
	fmt.Fprintf(&b, "Pages Router route, session token in the __session cookie:\n")
	fmt.Fprintf(&b, "  curl -s --cookie '__session=%s' %s%s\n\n", token, baseURL, PagesRouterPath)
	fmt.Fprintf(&b, "Session tokens expire after 60 s. Fresh token on every call:\n")
	fmt.Fprintf(&b, "  curl -s -H \"Authorization: Bearer $(curl -s %s%s)\" %s%s\n\n", baseURL, SessionTokenPath, baseURL, AppRouterPath)
	a.Offline.writeMachineCommands(&b, baseURL)
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
