package clerk

import (
	"crypto/sha1" //nolint:gosec // Clerk names the cookie after a SHA-1; no security rests on it.
	"encoding/base64"
	"strconv"
	"strings"
)

// EnvPublishableKey names the variable holding the publishable key, as in
// Clerk's SDKs.
const EnvPublishableKey = "CLERK_PUBLISHABLE_KEY"

// frontendAPIHost decodes a publishable key, "pk_test_" or "pk_live_"
// followed by base64("<frontend-api-host>$"), into the host.
func frontendAPIHost(pk string) (string, error) {
	var rest string
	switch {
	case strings.HasPrefix(pk, "pk_test_"):
		rest = pk[len("pk_test_"):]
	case strings.HasPrefix(pk, "pk_live_"):
		rest = pk[len("pk_live_"):]
	default:
		return "", configError("publishable key must start with pk_test_ or pk_live_")
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(rest)
	}
	host, ok := strings.CutSuffix(string(raw), "$")
	if err != nil || !ok || !isHostName(host) {
		return "", configError("publishable key does not encode a Frontend API host")
	}
	return host, nil
}

// isHostName accepts a DNS name with an optional numeric port: what a
// Frontend API host looks like, and nothing that could change a URL built
// from it or fail to parse as one later.
func isHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	name, port, hasPort := strings.Cut(h, ":")
	if name == "" || hasPort && !isPort(port) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isWordChar(c) && c != '.' || c == '_' {
			return false
		}
	}
	return true
}

// isPort reports whether p is a TCP port number, 1 to 65535.
func isPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && p[0] != '+' && p[0] != '-'
}

// sessionCookieSuffix is what Clerk appends to "__session_" so that several
// Clerk apps on one host keep separate cookies: the first 8 characters of
// the URL-safe base64 of SHA-1(publishable key). Eight characters lie well
// inside the 28 of the encoding, so padding never matters.
func sessionCookieSuffix(pk string) string {
	sum := sha1.Sum([]byte(pk)) //nolint:gosec // see import
	return base64.URLEncoding.EncodeToString(sum[:])[:8]
}
