package clerktest

import "net/http"

// handleVerifyOAuth takes access_token or, as the deprecated spelling,
// secret. The body is not closed in the specification, so other members
// are ignored. A JWT must still verify with a key of the instance; once
// it expires the answer is {"active": false}, while an expired opaque
// token answers its object with expired set.
func (s *Server) handleVerifyOAuth(w http.ResponseWriter, body []byte) {
	b, e := parseJSONBody(body, false, nil)
	var token string
	if e == nil {
		token, e = b.str("access_token", false)
	}
	if e == nil && token == "" {
		token, e = b.str("secret", false)
	}
	if e == nil && token == "" {
		e = badRequest("access_token", "access_token is required.")
	}
	if e != nil {
		s.writeError(w, http.StatusBadRequest, *e)
		return
	}
	t, ok := s.oauthByToken(token)
	if ok && t.JWT && !s.signedByInstance(token) {
		ok = false
	}
	if !ok {
		s.writeError(w, http.StatusNotFound, errNotFound("OAuth access token not found"))
		return
	}
	now := s.now()
	if t.JWT && expiredAt(t.ExpiresAt, now) {
		writeJSON(w, http.StatusOK, inactiveJSON{Active: false})
		return
	}
	writeJSON(w, http.StatusOK, oauthAnswer(t, now))
}
