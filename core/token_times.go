package clerk

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Times reads the token's iat and exp claims. It does not verify the
// signature: the token came from Clerk over an authenticated connection, and
// the times are only used to decide how long it is worth reusing.
func (t *Token) Times() (issuedAt, expiresAt time.Time, err error) {
	parts := strings.Split(t.JWT, ".")
	if len(parts) != 3 {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: token is not a JWT", ErrInvalidResponse)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: token payload is not base64url", ErrInvalidResponse)
	}
	var claims struct {
		IssuedAt  *json.Number `json:"iat"`
		ExpiresAt *json.Number `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.IssuedAt == nil || claims.ExpiresAt == nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: token has no numeric iat and exp", ErrInvalidResponse)
	}
	iat, err1 := claims.IssuedAt.Int64()
	exp, err2 := claims.ExpiresAt.Int64()
	if err1 != nil || err2 != nil || exp <= iat {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: token has no usable iat and exp", ErrInvalidResponse)
	}
	return time.Unix(iat, 0), time.Unix(exp, 0), nil
}
