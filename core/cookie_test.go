package clerk_test

import (
	"crypto/sha1" //nolint:gosec // the cookie name is defined with SHA-1
	"encoding/base64"
)

// cookieSuffix restates Clerk's rule for the suffixed session cookie: the
// first 8 characters of URL-safe base64 of SHA-1(publishable key).
func cookieSuffix(pk string) string {
	sum := sha1.Sum([]byte(pk)) //nolint:gosec // see import
	return base64.URLEncoding.EncodeToString(sum[:])[:8]
}
