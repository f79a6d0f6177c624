package clerktest

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// jsonBody is a decoded request body whose members are still raw, so each
// can be checked against its schema and named in the error.
type jsonBody map[string]json.RawMessage

// parseJSONBody decodes a JSON object body. An empty body reads as {}
// when emptyOK. When known is not nil, other members are refused, as the
// specification closes these bodies (additionalProperties: false); members
// are checked in sorted order so the error is the same on every run.
func parseJSONBody(body []byte, emptyOK bool, known []string) (jsonBody, *apiError) {
	if len(bytes.TrimSpace(body)) == 0 {
		if emptyOK {
			return jsonBody{}, nil
		}
		return nil, badRequest("", "The request body must be a JSON object.")
	}
	var b jsonBody
	if err := decodeJSON(body, &b); err != nil || b == nil {
		return nil, badRequest("", "The request body must be a JSON object.")
	}
	if known != nil {
		for _, name := range slices.Sorted(maps.Keys(b)) {
			if !slices.Contains(known, name) {
				return nil, badRequest(name, name+" is not a parameter of this endpoint.")
			}
		}
	}
	return b, nil
}

func badRequest(param, long string) *apiError {
	e := errBadRequest(param, long)
	return &e
}

// raw returns a member, treating an explicit null as absent: every
// optional member of these bodies is nullable.
func (b jsonBody) raw(name string) (json.RawMessage, bool) {
	v, ok := b[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

// str reads a string member; a required one must be present and non-empty.
func (b jsonBody) str(name string, required bool) (string, *apiError) {
	raw, ok := b.raw(name)
	if !ok {
		if required {
			return "", badRequest(name, name+" is required.")
		}
		return "", nil
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", badRequest(name, name+" must be a string.")
	}
	if required && v == "" {
		return "", badRequest(name, name+" must not be empty.")
	}
	return v, nil
}

// seconds reads a positive number of seconds (the schema allows fractions)
// up to ten years, the ceiling of every lifetime in the specification,
// which also keeps the duration far from overflowing.
func (b jsonBody) seconds(name string) (time.Duration, *apiError) {
	raw, ok := b.raw(name)
	if !ok {
		return 0, nil
	}
	var v float64
	if json.Unmarshal(raw, &v) != nil || math.IsNaN(v) || v <= 0 || v > maxExpiresIn {
		return 0, badRequest(name, name+" must be a number of seconds above 0 and at most 315360000.")
	}
	d := time.Duration(v * float64(time.Second)).Round(time.Millisecond)
	if d <= 0 {
		return 0, badRequest(name, name+" must be at least one millisecond.")
	}
	return d, nil
}

// count reads a non-negative integer; set reports whether it was given.
func (b jsonBody) count(name string) (n int64, set bool, e *apiError) {
	raw, ok := b.raw(name)
	if !ok {
		return 0, false, nil
	}
	if json.Unmarshal(raw, &n) != nil || n < 0 || n > maxExpiresIn {
		return 0, false, badRequest(name, name+" must be an integer from 0 to 315360000.")
	}
	return n, true, nil
}

// object reads a JSON object member, keeping numbers exact.
func (b jsonBody) object(name string) (map[string]any, *apiError) {
	raw, ok := b.raw(name)
	if !ok {
		return nil, nil
	}
	var m map[string]any
	if decodeJSON(raw, &m) != nil || m == nil {
		return nil, badRequest(name, name+" must be a JSON object or null.")
	}
	return m, nil
}

// stringList reads an array of strings.
func (b jsonBody) stringList(name string) ([]string, *apiError) {
	raw, ok := b.raw(name)
	if !ok {
		return nil, nil
	}
	var v []string
	if json.Unmarshal(raw, &v) != nil {
		return nil, badRequest(name, name+" must be an array of strings.")
	}
	return v, nil
}

// isClerkID reports whether id is one of prefixes, an underscore and 27
// word characters: the pattern the specification gives subject ids.
func isClerkID(id string, prefixes ...string) bool {
	prefix, rest, ok := strings.Cut(id, "_")
	if !ok || !slices.Contains(prefixes, prefix) || len(rest) != 27 {
		return false
	}
	for _, c := range []byte(rest) {
		word := c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !word {
			return false
		}
	}
	return true
}
