package clerktest

import (
	"time"
)

// The answer shapes below follow the 200 and 201 schemas of the Backend
// API specification field for field: timestamps in milliseconds, absent
// values as null, never omitted, because those schemas list every field as
// required and clients decode them strictly.

// m2mJSON is a machine_to_machine_token object. Token is set only in the
// answer to a create, the one time Clerk shows it.
type m2mJSON struct {
	Object           string         `json:"object"`
	ID               string         `json:"id"`
	Subject          string         `json:"subject"`
	Claims           map[string]any `json:"claims"`
	Scopes           []string       `json:"scopes"`
	Token            string         `json:"token,omitempty"`
	Revoked          bool           `json:"revoked"`
	RevocationReason *string        `json:"revocation_reason"`
	Expired          bool           `json:"expired"`
	Expiration       *int64         `json:"expiration"`
	LastUsedAt       *int64         `json:"last_used_at"`
	CreatedAt        int64          `json:"created_at"`
	UpdatedAt        int64          `json:"updated_at"`
}

func m2mAnswer(t M2MToken, now time.Time, withToken bool) m2mJSON {
	a := m2mJSON{
		Object:           "machine_to_machine_token",
		ID:               t.ID,
		Subject:          t.Subject,
		Claims:           t.Claims,
		Scopes:           nonNil(t.Scopes),
		Revoked:          t.Revoked,
		RevocationReason: nullString(t.RevocationReason),
		Expired:          expiredAt(t.ExpiresAt, now),
		Expiration:       nullMillis(t.ExpiresAt),
		CreatedAt:        t.CreatedAt.UnixMilli(),
		UpdatedAt:        t.UpdatedAt.UnixMilli(),
	}
	if withToken {
		a.Token = t.Token
	}
	return a
}

// apiKeyJSON is an api_key object; Secret only in the answer to a create.
type apiKeyJSON struct {
	Object           string         `json:"object"`
	ID               string         `json:"id"`
	Type             string         `json:"type"`
	Subject          string         `json:"subject"`
	Name             string         `json:"name"`
	Description      *string        `json:"description"`
	Claims           map[string]any `json:"claims"`
	Scopes           []string       `json:"scopes"`
	Secret           string         `json:"secret,omitempty"`
	Revoked          bool           `json:"revoked"`
	RevocationReason *string        `json:"revocation_reason"`
	Expired          bool           `json:"expired"`
	Expiration       *int64         `json:"expiration"`
	CreatedBy        *string        `json:"created_by"`
	LastUsedAt       *int64         `json:"last_used_at"`
	CreatedAt        int64          `json:"created_at"`
	UpdatedAt        int64          `json:"updated_at"`
}

func apiKeyAnswer(k APIKey, now time.Time, withSecret bool) apiKeyJSON {
	a := apiKeyJSON{
		Object:           "api_key",
		ID:               k.ID,
		Type:             k.Type,
		Subject:          k.Subject,
		Name:             k.Name,
		Description:      nullString(k.Description),
		Claims:           k.Claims,
		Scopes:           nonNil(k.Scopes),
		Revoked:          k.Revoked,
		RevocationReason: nullString(k.RevocationReason),
		Expired:          expiredAt(k.ExpiresAt, now),
		Expiration:       nullMillis(k.ExpiresAt),
		CreatedBy:        nullString(k.CreatedBy),
		CreatedAt:        k.CreatedAt.UnixMilli(),
		UpdatedAt:        k.UpdatedAt.UnixMilli(),
	}
	if withSecret {
		a.Secret = k.Secret
	}
	return a
}

// oauthJSON is a clerk_idp_oauth_access_token object. The specification
// lists no aud, but Clerk's JavaScript SDK reads aud from this answer to
// check an expected audience, so it is sent when the token has one.
type oauthJSON struct {
	Object           string   `json:"object"`
	ID               string   `json:"id"`
	ClientID         string   `json:"client_id"`
	Subject          string   `json:"subject"`
	Scopes           []string `json:"scopes"`
	Aud              []string `json:"aud,omitempty"`
	Revoked          bool     `json:"revoked"`
	RevocationReason *string  `json:"revocation_reason"`
	Expired          bool     `json:"expired"`
	Expiration       *int64   `json:"expiration"`
	CreatedAt        int64    `json:"created_at"`
	UpdatedAt        int64    `json:"updated_at"`
}

func oauthAnswer(t OAuthToken, now time.Time) oauthJSON {
	return oauthJSON{
		Object:           "clerk_idp_oauth_access_token",
		ID:               t.ID,
		ClientID:         t.ClientID,
		Subject:          t.Subject,
		Scopes:           nonNil(t.Scopes),
		Aud:              t.Audience,
		Revoked:          t.Revoked,
		RevocationReason: nullString(t.RevocationReason),
		Expired:          expiredAt(t.ExpiresAt, now),
		Expiration:       nullMillis(t.ExpiresAt),
		CreatedAt:        t.CreatedAt.UnixMilli(),
		UpdatedAt:        t.UpdatedAt.UnixMilli(),
	}
}

// inactiveJSON is the answer for a JWT access token that has expired, the
// second form the specification allows.
type inactiveJSON struct {
	Active bool `json:"active"`
}

// expiredAt treats the expiry instant itself as expired, as exp does.
func expiredAt(exp, now time.Time) bool { return !exp.IsZero() && !now.Before(exp) }

func nullMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
