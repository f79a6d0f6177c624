package clerk

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// M2MToken is a machine-to-machine token minted by Clerk for the machine
// of an [M2MClient]: the bearer value the machine presents to the services
// named in Scopes, and what Clerk said about it.
//
// The bearer value is reached only through [M2MToken.Token]. Every other
// way of showing an M2MToken leaves it out: fmt with any verb and flags,
// slog, and encoding/json, which write a redacted summary, as for [Token].
// The value is kept behind a func, which fmt prints as an address, so even
// an M2MToken in an unexported field of your own struct, printed field by
// field, does not show it.
type M2MToken struct {
	// ID is the token's id ("mt_…"), used to revoke it; not a secret.
	ID string
	// Subject is the id of the machine that minted it ("mch_…").
	Subject string
	// Scopes are the ids of the machines it may call.
	Scopes []string
	// Claims are the custom claims given at creation; nil when none.
	Claims map[string]any
	// ExpiresAt is when Clerk stops accepting the token.
	ExpiresAt time.Time
	// CreatedAt is when Clerk minted it.
	CreatedAt time.Time
	// Revoked, Expired and RevocationReason are as Clerk answered.
	Revoked          bool
	Expired          bool
	RevocationReason string

	secret func() *m2mSecret // see the type's comment; nil for a revoke answer
}

// m2mSecret is the bearer value and the Authorization header built from it
// once, so that attaching the token to a request allocates nothing.
type m2mSecret struct {
	value         string
	authorization []string // {"Bearer " + value}; shared, never modified
}

func newM2MSecret(value string) func() *m2mSecret {
	s := &m2mSecret{value: value, authorization: []string{"Bearer " + value}}
	return func() *m2mSecret { return s }
}

// Token returns the bearer value: "mt_…" for an opaque token, a JWT for
// the jwt format. Send it as "Authorization: Bearer <value>" and nowhere
// else; never log it.
func (t M2MToken) Token() string {
	if t.secret == nil {
		return ""
	}
	return t.secret().value
}

// String names the token by id and expiry. The bearer value is shown only
// by kind: "mt_[redacted]" or a JWT's header followed by ".[redacted]".
// String, GoString, Format, LogValue and MarshalJSON have value receivers so
// that an M2MToken held by value is redacted too.
func (t M2MToken) String() string {
	value := t.Token()
	shown := "[redacted]"
	switch {
	case strings.HasPrefix(value, "mt_"):
		shown = "mt_[redacted]"
	case strings.Count(value, ".") == 2:
		head, _, _ := strings.Cut(value, ".")
		shown = head + ".[redacted]"
	}
	return "clerk.M2MToken{id: " + t.ID + ", subject: " + t.Subject +
		", expires: " + t.ExpiresAt.UTC().Format(time.RFC3339) + ", token: " + shown + "}"
}

// GoString keeps %#v from printing the token.
func (t M2MToken) GoString() string { return t.String() }

// Format prints the String form for every verb and flag.
func (t M2MToken) Format(f fmt.State, verb rune) { writeRedacted(f, verb, t.String()) }

// LogValue keeps slog from printing the token.
func (t M2MToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// MarshalJSON writes the String form as a JSON string, never the token:
// slog's JSON handler marshals nested values with encoding/json.
func (t M2MToken) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// m2mAnswer is Clerk's machine_to_machine_token object, as created and as
// stored for sharing. Pointers tell a missing or null member from a zero.
type m2mAnswer struct {
	Object           string         `json:"object"`
	ID               string         `json:"id"`
	Subject          string         `json:"subject"`
	Claims           map[string]any `json:"claims"`
	Scopes           []string       `json:"scopes"`
	Token            string         `json:"token,omitempty"`
	Revoked          bool           `json:"revoked"`
	RevocationReason *string        `json:"revocation_reason"`
	Expired          bool           `json:"expired"`
	Expiration       *json.Number   `json:"expiration"`
	CreatedAt        *json.Number   `json:"created_at"`
}

// maxM2MTokenBytes bounds the bearer value Clerk may answer: an opaque
// token is 35 bytes and a JWT with claims fits easily; anything larger
// would not pass the header limits of the services it is sent to.
const maxM2MTokenBytes = 16 << 10

// maxM2MLifetime is the farthest expiry a token answer may have: ten years,
// the longest lifetime Clerk accepts, plus a day of clock difference.
const maxM2MLifetime = MaxTokenLifetimeSeconds*time.Second + 24*time.Hour

// decodeM2MToken reads a create answer. withToken requires the bearer
// value (a create answer and a shared token have it; a revoke answer not).
// An answer without a usable expiry is refused: a token source could not
// tell when to refresh it.
func decodeM2MToken(body []byte, withToken bool, now time.Time) (*M2MToken, error) {
	var a m2mAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("%w: M2M token answer is not a machine_to_machine_token object", ErrInvalidResponse)
	}
	if a.Object != "" && a.Object != "machine_to_machine_token" {
		return nil, fmt.Errorf("%w: M2M token answer is not a machine_to_machine_token object", ErrInvalidResponse)
	}
	if a.ID == "" {
		return nil, fmt.Errorf("%w: M2M token answer has no id", ErrInvalidResponse)
	}
	if withToken && !usableBearer(a.Token) {
		return nil, fmt.Errorf("%w: M2M token answer holds no usable token", ErrInvalidResponse)
	}
	exp, ok := millis(a.Expiration)
	switch {
	case !ok && (withToken || a.Expiration != nil):
		return nil, fmt.Errorf("%w: M2M token answer has no usable expiration", ErrInvalidResponse)
	case !ok:
		// A revoke answer may say null: the token never expired.
	case withToken && !exp.After(now):
		return nil, fmt.Errorf("%w: M2M token answer expired already (expiration %s)", ErrInvalidResponse, exp.UTC().Format(time.RFC3339))
	case exp.After(now.Add(maxM2MLifetime)):
		return nil, fmt.Errorf("%w: M2M token answer expires absurdly late (expiration %s)", ErrInvalidResponse, exp.UTC().Format(time.RFC3339))
	}
	tok := &M2MToken{
		ID:        a.ID,
		Subject:   a.Subject,
		Scopes:    a.Scopes,
		Claims:    a.Claims,
		ExpiresAt: exp, // zero only for a revoke answer with a null expiration
		Revoked:   a.Revoked,
		Expired:   a.Expired,
	}
	if created, ok := millis(a.CreatedAt); ok {
		tok.CreatedAt = created
	}
	if a.RevocationReason != nil {
		tok.RevocationReason = *a.RevocationReason
	}
	if a.Token != "" {
		tok.secret = newM2MSecret(a.Token)
	}
	return tok, nil
}

// millis reads a timestamp in milliseconds since the epoch; false when it
// is missing, null, not a number, or outside year 1970..9999.
func millis(n *json.Number) (time.Time, bool) {
	if n == nil {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || !(f > 0 && f < 253402300800000) { // also refuses NaN
		return time.Time{}, false
	}
	return time.UnixMilli(int64(f)), true
}

// usableBearer reports whether v can be sent in an Authorization header:
// non-empty, bounded, and only the visible ASCII a token is made of.
func usableBearer(v string) bool {
	if v == "" || len(v) > maxM2MTokenBytes {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f {
			return false
		}
	}
	return true
}

// encodeM2MToken is the form a shared store keeps: the create answer's
// own shape, token included, so decodeM2MToken reads both.
func encodeM2MToken(t *M2MToken) ([]byte, error) {
	exp := json.Number(fmt.Sprint(t.ExpiresAt.UnixMilli()))
	a := m2mAnswer{
		Object:     "machine_to_machine_token",
		ID:         t.ID,
		Subject:    t.Subject,
		Claims:     t.Claims,
		Scopes:     t.Scopes,
		Token:      t.Token(),
		Revoked:    t.Revoked,
		Expired:    t.Expired,
		Expiration: &exp,
	}
	if !t.CreatedAt.IsZero() {
		created := json.Number(fmt.Sprint(t.CreatedAt.UnixMilli()))
		a.CreatedAt = &created
	}
	if t.RevocationReason != "" {
		a.RevocationReason = &t.RevocationReason
	}
	return json.Marshal(a)
}
