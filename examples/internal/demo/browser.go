package demo

import "strconv"

// devBrowser is the offline demo's dev browser cookie. The emulator is a
// development instance (pk_test_), whose session cookies count only beside
// Clerk's dev browser cookie __clerk_db_jwt; its value is not checked.
const devBrowser = "dvb_offline_demo"

// Token mints a fresh session token for one of the demo's sessions.
func (o *Offline) Token(sessionID string) (string, error) {
	return o.Emulator.SessionToken(sessionID)
}

// BrowserCookies is the Cookie header a browser signed in to the demo sends
// with token, as curl's --cookie takes it: the session token in __session,
// __client_uat (when the client signed in: the demo's start, at or before
// every token's iat, else Clerk's rule refuses the token as predating the
// last sign-in) and the dev browser cookie. Without __client_uat a
// session cookie is signed out (session-token-but-no-client-uat), and on a
// development instance so is one without the dev browser
// (dev-browser-missing, checked first).
func (o *Offline) BrowserCookies(token string) string {
	return "__session=" + token +
		"; __client_uat=" + strconv.FormatInt(o.SignedInAt.Unix(), 10) +
		"; __clerk_db_jwt=" + devBrowser
}
