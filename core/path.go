package clerk

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxSegmentBytes bounds a session ID or template name. Clerk's IDs are
// about 30 bytes and template names are short; a kilobyte-long "ID" is an
// attack or a bug, and either way not worth a round trip.
const maxSegmentBytes = 512

// pathSegment checks one caller-supplied path segment and escapes it, so the
// server sees exactly one segment whatever the value holds. Values that
// would still move the path after unescaping (dot segments) are refused.
func pathSegment(param, v string) (string, error) {
	switch {
	case v == "":
		return "", &InputError{Param: param, Reason: "must not be empty"}
	case len(v) > maxSegmentBytes:
		return "", &InputError{Param: param, Reason: "is longer than 512 bytes"}
	case !utf8.ValidString(v):
		return "", &InputError{Param: param, Reason: "is not valid UTF-8"}
	case hasControl(v):
		return "", &InputError{Param: param, Reason: "contains a control character"}
	case isDotSegment(v):
		return "", &InputError{Param: param, Reason: "must not be a dot segment"}
	}
	return url.PathEscape(v), nil
}

func hasControl(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return true
		}
	}
	return false
}

// isDotSegment reports whether v is "." or "..", literally or after up to
// three rounds of percent-decoding: a server or proxy that decodes more than
// once must not see a dot segment either.
func isDotSegment(v string) bool {
	for range 4 {
		if v == "." || v == ".." {
			return true
		}
		if !strings.Contains(v, "%") {
			return false
		}
		u, err := url.PathUnescape(v)
		if err != nil || u == v {
			return false
		}
		v = u
	}
	return false
}
