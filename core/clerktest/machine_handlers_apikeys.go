package clerktest

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// handleCreateAPIKey checks the body against the specification's schema.
func (s *Server) handleCreateAPIKey(w http.ResponseWriter, body []byte) {
	k, lifetime, e := parseAPIKeyBody(body)
	if e != nil {
		s.writeError(w, http.StatusBadRequest, *e)
		return
	}
	k.CreatedAt = s.now()
	k.UpdatedAt = k.CreatedAt
	if lifetime > 0 {
		k.ExpiresAt = k.CreatedAt.Add(lifetime)
	}
	writeJSON(w, http.StatusOK, apiKeyAnswer(s.storeAPIKey(k), s.now(), true))
}

// parseAPIKeyBody validates a create body and returns the key with its
// lifetime (0: it never expires).
func parseAPIKeyBody(body []byte) (k APIKey, lifetime time.Duration, e *apiError) {
	b, e := parseJSONBody(body, false, []string{"type", "name", "description", "subject", "claims", "scopes", "created_by", "seconds_until_expiration"})
	if e != nil {
		return APIKey{}, 0, e
	}
	k = APIKey{Type: "api_key"}
	typ, e := b.str("type", false)
	if e != nil {
		return APIKey{}, 0, e
	}
	if typ != "" {
		if n := utf8.RuneCountInString(typ); n < 3 || n > 25 {
			return APIKey{}, 0, badRequest("type", "type must be 3 to 25 characters long.")
		}
		k.Type = typ
	}
	if k.Name, e = b.str("name", true); e != nil {
		return APIKey{}, 0, e
	}
	if utf8.RuneCountInString(k.Name) < 3 || strings.TrimSpace(k.Name) != k.Name {
		return APIKey{}, 0, badRequest("name", "name must be at least 3 characters long, without leading or trailing whitespace.")
	}
	if k.Description, e = b.str("description", false); e != nil {
		return APIKey{}, 0, e
	}
	if utf8.RuneCountInString(k.Description) > 255 {
		return APIKey{}, 0, badRequest("description", "description must be at most 255 characters long.")
	}
	if k.Subject, e = b.str("subject", true); e != nil {
		return APIKey{}, 0, e
	}
	if !isClerkID(k.Subject, "user", "org", "mch", "scim") {
		return APIKey{}, 0, badRequest("subject", "subject must be a user_, org_, mch_ or scim_ id.")
	}
	if k.Claims, e = b.object("claims"); e != nil {
		return APIKey{}, 0, e
	}
	if k.Scopes, e = b.stringList("scopes"); e != nil {
		return APIKey{}, 0, e
	}
	if k.CreatedBy, e = b.str("created_by", false); e != nil {
		return APIKey{}, 0, e
	}
	if k.CreatedBy != "" && !isClerkID(k.CreatedBy, "user") {
		return APIKey{}, 0, badRequest("created_by", "created_by must be a user_ id.")
	}
	if lifetime, e = b.seconds("seconds_until_expiration"); e != nil {
		return APIKey{}, 0, e
	}
	return k, lifetime, nil
}

// handleVerifyAPIKey answers 200 for revoked and expired keys too, with
// the flags set, as Clerk does.
func (s *Server) handleVerifyAPIKey(w http.ResponseWriter, body []byte) {
	b, e := parseJSONBody(body, false, []string{"secret"})
	var secret string
	if e == nil {
		secret, e = b.str("secret", true)
	}
	if e != nil {
		s.writeError(w, http.StatusBadRequest, *e)
		return
	}
	k, ok := s.apiKeyBySecret(secret)
	if !ok {
		s.writeError(w, http.StatusNotFound, errNotFound("API key not found"))
		return
	}
	writeJSON(w, http.StatusOK, apiKeyAnswer(k, s.now(), false))
}

// handleRevokeAPIKey revokes a key; revoking it again keeps the first
// revocation.
func (s *Server) handleRevokeAPIKey(w http.ResponseWriter, id string, body []byte) {
	reason, e := revocationReason(body)
	if e != nil {
		s.writeError(w, http.StatusBadRequest, *e)
		return
	}
	k, err := s.revokeAPIKey(id, reason)
	if err != nil {
		s.writeError(w, http.StatusNotFound, errNotFound("API key not found"))
		return
	}
	writeJSON(w, http.StatusOK, apiKeyAnswer(k, s.now(), false))
}
