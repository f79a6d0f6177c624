package clerk

import (
	"net/http"
	"strings"
)

// SessionCookieName is the cookie Clerk's front end keeps the session token
// in for same-origin requests. With a publishable key configured, the
// instance's suffixed cookie, "__session_<suffix>", is read when Clerk's
// SDKs would read it (see Authenticate).
const SessionCookieName = "__session"

// A Carrier is where a request carries its session token: its headers and
// cookies. Framework adapters implement it over their own request type
// (fiber's without net/http); for a net/http request, AuthenticateRequest
// needs none.
//
// The strings it returns need only stay valid while Authenticate runs:
// Authenticate copies whatever it keeps.
type Carrier interface {
	// Header returns the first value of the named header, or "".
	Header(name string) string
	// Cookie returns the named cookie's value and whether it was sent.
	Cookie(name string) (string, bool)
}

// requestCarrier is one pointer wide, so turning it into a Carrier
// allocates nothing.
type requestCarrier struct{ r *http.Request }

func (c requestCarrier) Header(name string) string { return c.r.Header.Get(name) }

func (c requestCarrier) Cookie(name string) (string, bool) {
	cookie, err := c.r.Cookie(name)
	if err != nil {
		return "", false
	}
	return cookie.Value, true
}

// bearerToken returns the credentials of a "Bearer <token>" header. The
// scheme is compared exactly, as Clerk's SDKs do; an empty token is no
// token, so the cookie path runs.
func bearerToken(header string) (string, bool) {
	scheme, rest, ok := strings.Cut(header, " ")
	if !ok || scheme != "Bearer" {
		return "", false
	}
	token := strings.Trim(rest, " \t")
	return token, token != ""
}
