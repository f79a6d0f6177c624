package demotest

import (
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// forbiddenJSON is the guards' 403 body, written out here as
// unauthorizedJSON is.
const forbiddenJSON = `{"message":"Forbidden"}`

// adminJSON is the body AdminPath must answer an administrator, written
// out by hand rather than with the code under test.
func adminJSON(userID, orgID string) string {
	return `{"userId":"` + userID + `","orgId":"` + orgID + `","orgRole":"org:admin"}`
}

// CheckAdminRoute runs the admin route's table against a server: the demo
// user, admin of the active organization, gets who she is; the member who
// is not an admin gets 403, whether the token comes as a Bearer header or
// in a browser's cookies; signed out is 401. Bodies byte for byte.
func CheckAdminRoute(t *testing.T, baseURL string, app *demo.App) {
	t.Helper()
	o := app.Offline
	admin, err := o.SessionToken()
	if err != nil {
		t.Fatal(err)
	}
	member, err := o.Token(o.Member.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := o.Emulator.SessionToken(o.Demo.SessionID, clerktest.TokenExpired())
	if err != nil {
		t.Fatal(err)
	}
	adminBody := adminJSON(o.Demo.UserID, o.Demo.OrganizationID)

	cases := []struct {
		name   string
		header string
		cookie string
		status int
		body   string
		reason string
	}{
		{name: "admin, Bearer header", header: "Bearer " + admin, status: 200, body: adminBody},
		{name: "admin, browser cookies", cookie: o.BrowserCookies(admin), status: 200, body: adminBody},
		{name: "member without the role, Bearer header", header: "Bearer " + member, status: 403, body: forbiddenJSON},
		{name: "member without the role, browser cookies", cookie: o.BrowserCookies(member), status: 403, body: forbiddenJSON},
		{name: "signed out", status: 401, body: unauthorizedJSON, reason: "session-token-missing"},
		{name: "admin, session cookie without __client_uat", cookie: "__session=" + admin + "; __clerk_db_jwt=dvb_1", status: 401,
			body: unauthorizedJSON, reason: "session-token-but-no-client-uat"},
		{name: "admin, bare __session cookie", cookie: "__session=" + admin, status: 401, body: unauthorizedJSON,
			reason: "dev-browser-missing"},
		{name: "admin, expired token", header: "Bearer " + expired, status: 401, body: unauthorizedJSON, reason: "token-expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := request(t, baseURL+demo.AdminPath, tc.header, tc.cookie)
			if status != tc.status || body != tc.body {
				t.Fatalf("answered %d %s, want %d %s", status, body, tc.status, tc.body)
			}
			if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if got := header.Get(clerk.ReasonHeader); got != tc.reason {
				t.Errorf("%s = %q, want %q", clerk.ReasonHeader, got, tc.reason)
			}
		})
	}
}
