package clerk

import (
	"encoding/json"
	"strings"

	"github.com/clerkkit/clerkkit/core/internal/jose"
)

// Cookies Clerk's front end sets beside the session token. __client_uat is
// the time (Unix seconds) the client last signed in or out, "0" once signed
// out; __clerk_db_jwt is a development instance's dev browser.
const (
	clientUATCookie  = "__client_uat"
	devBrowserCookie = "__clerk_db_jwt"
)

// cookieState is what the cookie path of a request carries.
type cookieState struct {
	token      string
	uat        int64 // Unix seconds; 0 when absent, "0" or not a number
	uatSent    bool
	devBrowser bool
}

// readCookies reads the session token, __client_uat and the dev browser,
// each suffixed or not as Clerk's authenticateRequest decides for the
// request (usesSuffixedCookies): with a publishable key, the instance's
// suffixed cookies win unless the unsuffixed ones are evidently newer or
// the suffixed ones evidently stale.
func (a *Authenticator) readCookies(src Carrier) cookieState {
	name := func(base string) string { return base }
	if a.cookieSuffix != "" && a.usesSuffixedCookies(src) {
		name = func(base string) string { return base + "_" + a.cookieSuffix }
	}
	var st cookieState
	st.token, _ = src.Cookie(name(SessionCookieName))
	if v, ok := src.Cookie(name(clientUATCookie)); ok {
		st.uatSent = true
		st.uat = leadingInt(v)
	}
	dvb, _ := src.Cookie(name(devBrowserCookie))
	st.devBrowser = dvb != "" // an empty cookie is no cookie, as in Clerk's SDK
	return st
}

// usesSuffixedCookies follows Clerk's choice between the instance's
// suffixed cookies and the unsuffixed ones several apps on one host share.
func (a *Authenticator) usesSuffixedCookies(src Carrier) bool {
	// An empty cookie counts as absent, as in Clerk's SDK.
	suffixedUAT, _ := src.Cookie(clientUATCookie + "_" + a.cookieSuffix)
	uat, _ := src.Cookie(clientUATCookie)
	suffixedSession, _ := src.Cookie(SessionCookieName + "_" + a.cookieSuffix)
	session, _ := src.Cookie(SessionCookieName)
	if suffixedUAT == "" && suffixedSession == "" {
		// Nothing suffixed to choose, and then the checks of the
		// unsuffixed session below cannot change the outcome that
		// matters: the unsuffixed cookies are read.
		return false
	}
	sess := peekSession(session)
	if session != "" && !sess.hasIss {
		return false
	}
	if session != "" && !a.belongsToInstance(sess.iss) {
		return true
	}
	suffixed := peekSession(suffixedSession)
	if suffixedUAT != "0" && uat != "0" && sess.iat > suffixed.iat {
		return false
	}
	if suffixedUAT == "0" && uat != "0" {
		return false
	}
	if a.development && suffixedUAT != "0" && uat == "0" && suffixedSession != "" && suffixed.hasExp && suffixed.exp <= a.now().Unix() {
		return false
	}
	if suffixedUAT == "" && suffixedSession != "" {
		return false
	}
	return true
}

// belongsToInstance compares a token's iss, scheme dropped, with the
// instance's Frontend API host.
func (a *Authenticator) belongsToInstance(iss string) bool {
	iss = strings.TrimPrefix(strings.TrimPrefix(iss, "https://"), "http://")
	return a.issuer != "" && "https://"+iss == a.issuer
}

// peeked are the claims the cookie rules read before verification: they
// decide only which cookie to verify, never whether it is valid.
//
// They are read leniently, as Clerk's SDK decodes them (a repeated member:
// the last one wins), since the choice must be Clerk's; verification stays
// strict.
type peeked struct {
	iss      string // iss when it is a string
	hasIss   bool   // iss is there and truthy, as JavaScript reads it
	iat, exp int64  // Unix seconds; 0 when absent
	hasExp   bool
}

func peekSession(token string) peeked {
	if token == "" {
		return peeked{}
	}
	p, err := jose.Parse(token)
	if err != nil {
		return peeked{}
	}
	var c struct {
		Iss any      `json:"iss"`
		Iat *float64 `json:"iat"`
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal([]byte(p.Payload), &c) != nil {
		return peeked{}
	}
	var out peeked
	out.iss, _ = c.Iss.(string)
	switch v := c.Iss.(type) {
	case string:
		out.hasIss = v != ""
	case float64:
		out.hasIss = v != 0
	case bool:
		out.hasIss = v
	case nil:
	default: // objects and arrays are truthy
		out.hasIss = true
	}
	if c.Iat != nil {
		out.iat = int64(*c.Iat)
	}
	if c.Exp != nil {
		out.exp, out.hasExp = int64(*c.Exp), true
	}
	return out
}

// leadingInt reads a number as JavaScript's parseInt does for
// __client_uat: leading digits count, anything else after them is ignored,
// and no digits at all is 0.
func leadingInt(v string) int64 {
	v = strings.TrimSpace(v)
	neg := strings.HasPrefix(v, "-")
	if neg || strings.HasPrefix(v, "+") {
		v = v[1:]
	}
	var n int64
	for i := 0; i < len(v) && v[i] >= '0' && v[i] <= '9' && n < 1<<52; i++ {
		n = n*10 + int64(v[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// cookieRule applies Clerk's rules for a session token taken from a cookie
// (authenticateRequest, for requests that are not page loads: no
// handshake, just signed out). It runs before verification; the iat rule
// runs after it (checkClientUAT).
func (a *Authenticator) cookieRule(st cookieState) *AuthError {
	switch {
	case st.token == "" && st.uat == 0:
		return authErr(ReasonSessionTokenMissing, "no session token in the request")
	case a.development && !st.devBrowser:
		return authErr(ReasonDevBrowserMissing, "development instance: no dev browser cookie")
	case st.token != "" && st.uat == 0:
		return authErr(ReasonSessionTokenWithoutClientUAT, "session cookie without __client_uat: signed out in another tab")
	case st.token == "" && st.uat != 0:
		return authErr(ReasonClientUATWithoutSessionToken, "__client_uat without a session cookie")
	}
	return nil
}

// checkClientUAT refuses a session token issued before the client last
// signed in or out: another tab has moved on since.
func checkClientUAT(auth *Auth, uat int64) *AuthError {
	if auth.claims.hasIat && auth.claims.iat/1000 < uat {
		return authErr(ReasonSessionTokenIATBeforeClientUAT, "session token issued before __client_uat")
	}
	return nil
}
