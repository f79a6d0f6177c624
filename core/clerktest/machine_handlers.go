package clerktest

import (
	"net/http"
	"slices"
	"time"
)

// serveMachine dispatches the machine-token endpoints. caller is the
// machine whose secret key authenticated the request, "" for the instance
// key.
func (s *Server) serveMachine(w http.ResponseWriter, rt route, caller string, body []byte) {
	switch rt.endpoint {
	case EndpointCreateM2MToken:
		s.handleCreateM2M(w, caller, body)
	case EndpointVerifyM2MToken:
		s.handleVerifyM2M(w, caller, body)
	case EndpointRevokeM2MToken:
		s.handleRevokeM2M(w, rt.id, caller, body)
	case EndpointCreateAPIKey:
		s.handleCreateAPIKey(w, body)
	case EndpointVerifyAPIKey:
		s.handleVerifyAPIKey(w, body)
	case EndpointRevokeAPIKey:
		s.handleRevokeAPIKey(w, rt.id, body)
	case EndpointVerifyOAuthToken:
		s.handleVerifyOAuth(w, body)
	}
}

// handleCreateM2M mints for the calling machine. An empty body is taken as
// {} because every member has a default.
func (s *Server) handleCreateM2M(w http.ResponseWriter, machineID string, body []byte) {
	b, e := parseJSONBody(body, true, []string{"token_format", "seconds_until_expiration", "claims", "min_remaining_ttl_seconds"})
	var format string
	var lifetime time.Duration
	var claims map[string]any
	var minTTL int64
	var reuse bool
	if e == nil {
		format, e = b.str("token_format", false)
	}
	if e == nil && format != "" && format != "opaque" && format != "jwt" {
		e = badRequest("token_format", `token_format must be "opaque" or "jwt".`)
	}
	if e == nil {
		lifetime, e = b.seconds("seconds_until_expiration")
	}
	if e == nil {
		claims, e = b.object("claims")
	}
	if e == nil {
		minTTL, reuse, e = b.count("min_remaining_ttl_seconds")
	}
	if e != nil {
		s.writeError(w, http.StatusBadRequest, *e)
		return
	}
	cfg := machineTokenConfig{lifetime: lifetime, claims: claims}
	minRemaining := noReuse
	if format == "jwt" {
		// JWTs are stateless, so there is nothing to reuse: the member
		// only applies to opaque tokens and is ignored here.
		cfg.set |= optJWT
	} else if reuse {
		effective := lifetime
		if m, ok := s.Machine(machineID); ok && effective == 0 {
			effective = m.DefaultTokenTTL
		}
		minRemaining = time.Duration(minTTL) * time.Second
		if minRemaining >= effective {
			s.writeError(w, http.StatusBadRequest, errBadRequest("min_remaining_ttl_seconds",
				"min_remaining_ttl_seconds must be below the token's lifetime, or no new token could satisfy it."))
			return
		}
	}
	tok, _, err := s.mintM2M(machineID, cfg, minRemaining)
	if err != nil {
		// The machine authenticated a moment ago, so only an emulator
		// fault gets here.
		s.writeError(w, http.StatusInternalServerError, errInternal(err.Error()))
		return
	}
	writeJSON(w, http.StatusCreated, m2mAnswer(tok, s.now(), true))
}

// handleVerifyM2M looks the token up. A machine secret key sees only the
// tokens granted to its machine; any other token is as unknown to it as a
// token that never existed. Revoked and expired tokens answer 200 with the
// flag set, leaving the decision to the client.
func (s *Server) handleVerifyM2M(w http.ResponseWriter, caller string, body []byte) {
	b, e := parseJSONBody(body, false, []string{"token"})
	var token string
	if e == nil {
		token, e = b.str("token", true)
	}
	if e != nil {
		s.writeError(w, http.StatusBadRequest, *e)
		return
	}
	t, ok := s.m2mByToken(token)
	if !ok || (caller != "" && !slices.Contains(t.Scopes, caller)) {
		s.writeError(w, http.StatusNotFound, errNotFound("M2M token not found"))
		return
	}
	writeJSON(w, http.StatusOK, m2mAnswer(t, s.now(), false))
}

// handleRevokeM2M revokes a stored token. A machine secret key may revoke
// only the tokens its machine minted.
func (s *Server) handleRevokeM2M(w http.ResponseWriter, id, caller string, body []byte) {
	reason, e := revocationReason(body)
	if e != nil {
		s.writeError(w, http.StatusBadRequest, *e)
		return
	}
	t, err := s.revokeM2M(id, reason, caller)
	if err != nil {
		s.writeError(w, http.StatusNotFound, errNotFound("M2M token not found"))
		return
	}
	writeJSON(w, http.StatusOK, m2mAnswer(t, s.now(), false))
}

// revocationReason reads the revoke body. The specification marks it
// required, but its only member is optional and Clerk's SDKs differ in
// whether they send it, so an empty body is accepted as {}.
func revocationReason(body []byte) (string, *apiError) {
	b, e := parseJSONBody(body, true, []string{"revocation_reason"})
	if e != nil {
		return "", e
	}
	return b.str("revocation_reason", false)
}
