package clerktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NoClockSkew asks, as Template.AllowedClockSkew, for a skew of zero; the
// zero value means Clerk's default of 5 seconds.
const NoClockSkew time.Duration = -1

// Template is a JWT template as configured in Clerk's dashboard.
type Template struct {
	Name string
	// Claims is the template's JSON object; string values may hold
	// shortcodes. ClaimsJSON is an alternative for claims kept as text.
	Claims     map[string]any
	ClaimsJSON string
	// Lifetime defaults to 60 s; Clerk accepts 30 s to 10 years, in whole
	// seconds.
	Lifetime time.Duration
	// AllowedClockSkew sets nbf = iat - skew; it defaults to 5 s (use
	// NoClockSkew for 0) and Clerk accepts up to 300 s.
	AllowedClockSkew time.Duration
	// SigningAlgorithm and SigningKey configure a custom signing key:
	// HS256/HS384/HS512 take the shared secret, RS256/RS384/RS512 and
	// ES256/ES384/ES512 a PEM private key (PKCS#1, SEC 1 or PKCS#8). Empty
	// means RS256 with the instance key.
	SigningAlgorithm string
	SigningKey       string
}

// template is a validated Template, immutable once stored so minting can
// read it without the server lock.
type template struct {
	name     string
	claims   map[string]any
	lifetime time.Duration
	skew     time.Duration
	signer   *signer // nil: the instance key
}

// AddTemplate validates t and stores it, replacing a template of the same
// name. Reserved claims in t (azp exp iat iss jti nbf sub) are accepted but
// always replaced by the defaults at mint time, as on Clerk.
func (s *Server) AddTemplate(t Template) error {
	if t.Name == "" {
		return errors.New("clerktest: template name is empty")
	}
	tp := &template{name: t.Name, lifetime: 60 * time.Second, skew: 5 * time.Second}
	var err error
	switch {
	case t.ClaimsJSON != "" && t.Claims != nil:
		return errors.New("clerktest: set Claims or ClaimsJSON, not both")
	case t.ClaimsJSON != "":
		if err = decodeJSON([]byte(t.ClaimsJSON), &tp.claims); err != nil {
			return fmt.Errorf("clerktest: template %q claims: %w", t.Name, err)
		}
		if tp.claims == nil {
			return fmt.Errorf("clerktest: template %q claims are not a JSON object", t.Name)
		}
	default:
		if tp.claims, err = copyObject(t.Claims); err != nil {
			return fmt.Errorf("clerktest: template %q claims: %w", t.Name, err)
		}
	}
	if tp.claims == nil {
		tp.claims = map[string]any{}
	}
	if t.Lifetime != 0 {
		if t.Lifetime%time.Second != 0 || t.Lifetime < minExpiresIn*time.Second || t.Lifetime > maxExpiresIn*time.Second {
			return fmt.Errorf("clerktest: template %q lifetime %v must be whole seconds in [30s, 315360000s]", t.Name, t.Lifetime)
		}
		tp.lifetime = t.Lifetime
	}
	switch {
	case t.AllowedClockSkew == NoClockSkew:
		tp.skew = 0
	case t.AllowedClockSkew != 0:
		if t.AllowedClockSkew%time.Second != 0 || t.AllowedClockSkew < 0 || t.AllowedClockSkew > 300*time.Second {
			return fmt.Errorf("clerktest: template %q allowed clock skew %v must be whole seconds in [0s, 300s]", t.Name, t.AllowedClockSkew)
		}
		tp.skew = t.AllowedClockSkew
	}
	if t.SigningAlgorithm != "" {
		if tp.signer, err = newSigner(t.SigningAlgorithm, t.SigningKey); err != nil {
			return fmt.Errorf("clerktest: template %q: %w", t.Name, err)
		}
	} else if t.SigningKey != "" {
		return fmt.Errorf("clerktest: template %q has a signing key but no signing algorithm", t.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates[t.Name] = tp
	return nil
}

// RemoveTemplate deletes a template, so the API answers 404 for it.
func (s *Server) RemoveTemplate(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.templates[name]; !ok {
		return fmt.Errorf("%w: %s", ErrTemplateNotFound, name)
	}
	delete(s.templates, name)
	return nil
}

// renderContext is what shortcodes can reach for one mint.
type renderContext struct {
	userID string
	user   *User // nil when the session's user was never added
	org    *Organization
	role   string // "org:"-prefixed, with org
	actor  map[string]any
}

// render returns v with every shortcode in its strings replaced, leaving v
// itself untouched (it is shared between concurrent mints).
func (c *renderContext) render(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = c.render(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = c.render(x)
		}
		return out
	case string:
		return c.renderString(v)
	}
	return v
}

// renderString applies the type rule: a string that is exactly one
// shortcode becomes that value with its JSON type; otherwise each shortcode
// is interpolated as text.
func (c *renderContext) renderString(s string) any {
	if inner, ok := strings.CutPrefix(s, "{{"); ok {
		if inner, ok = strings.CutSuffix(inner, "}}"); ok && !strings.Contains(inner, "{{") && !strings.Contains(inner, "}}") {
			return c.eval(inner)
		}
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			break // an unterminated shortcode is plain text
		}
		b.WriteString(rest[:i])
		b.WriteString(text(c.eval(rest[i+2 : i+2+j])))
		rest = rest[i+2+j+2:]
	}
	if b.Len() == 0 && rest == s {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

// eval evaluates "a || b || 'literal'": the first operand that is neither
// null nor false, else the last operand's value.
func (c *renderContext) eval(expr string) any {
	var v any
	for _, term := range splitOr(expr) {
		v = c.term(strings.TrimSpace(term))
		if v != nil && v != false {
			return v
		}
	}
	return v
}

// splitOr splits on "||" outside quoted literals.
func splitOr(expr string) []string {
	var parts []string
	var quote byte
	start := 0
	for i := 0; i < len(expr); i++ {
		switch ch := expr[i]; {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '|' && i+1 < len(expr) && expr[i+1] == '|':
			parts = append(parts, expr[start:i])
			start = i + 2
			i++
		}
	}
	return append(parts, expr[start:])
}

func (c *renderContext) term(t string) any {
	if len(t) >= 2 && (t[0] == '\'' || t[0] == '"') && t[len(t)-1] == t[0] {
		return t[1 : len(t)-1]
	}
	switch t {
	case "null", "":
		return nil
	case "true":
		return true
	case "false":
		return false
	}
	if isJSONNumber(t) {
		return json.Number(t)
	}
	return c.resolve(strings.Split(t, "."))
}

// isJSONNumber reports whether t is a number literal as JSON writes one.
// strconv.ParseFloat also takes "00", "+1", ".5", "1_0", "0x1p4" and
// "Inf", which would make the claims unencodable; such terms are read as
// paths instead, and an unknown path is null.
func isJSONNumber(t string) bool {
	if t == "" || (t[0] != '-' && (t[0] < '0' || t[0] > '9')) || !json.Valid([]byte(t)) {
		return false
	}
	_, err := strconv.ParseFloat(t, 64)
	return err == nil
}

// resolve looks up a shortcode path; anything unknown is null.
func (c *renderContext) resolve(path []string) any {
	if len(path) < 2 {
		return nil
	}
	scope, field, rest := path[0], path[1], path[2:]
	switch scope {
	case "user":
		if field == "id" && len(rest) == 0 {
			return c.userID
		}
		if c.user == nil {
			return nil
		}
		return userField(c.user, field, rest)
	case "org":
		if c.org == nil {
			return nil
		}
		return orgField(c.org, c.role, field, rest)
	case "session":
		if field == "actor" && len(rest) == 0 && c.actor != nil {
			return c.actor
		}
	}
	return nil
}

func userField(u *User, field string, rest []string) any {
	if field == "public_metadata" {
		return walk(u.PublicMetadata, rest)
	}
	if field == "unsafe_metadata" {
		return walk(u.UnsafeMetadata, rest)
	}
	if len(rest) != 0 {
		return nil
	}
	switch field {
	case "first_name":
		return nullable(u.FirstName)
	case "last_name":
		return nullable(u.LastName)
	case "full_name":
		return nullable(strings.TrimSpace(u.FirstName + " " + u.LastName))
	case "username":
		return nullable(u.Username)
	case "external_id":
		return nullable(u.ExternalID)
	case "primary_email_address":
		return nullable(u.PrimaryEmailAddress)
	case "primary_phone_number":
		return nullable(u.PrimaryPhoneNumber)
	case "image_url":
		return nullable(u.ImageURL)
	case "email_verified":
		for _, e := range u.EmailAddresses {
			if e.Address == u.PrimaryEmailAddress {
				return !e.Unverified
			}
		}
		return nil
	}
	return nil
}

func orgField(o *Organization, role, field string, rest []string) any {
	if field == "public_metadata" {
		return walk(o.PublicMetadata, rest)
	}
	if len(rest) != 0 {
		return nil
	}
	switch field {
	case "id":
		return o.ID
	case "role":
		return role
	case "slug":
		return nullable(o.Slug)
	case "name":
		return nullable(o.Name)
	}
	return nil
}

// walk follows a dot path into metadata; Clerk metadata is never null, so
// an unset object renders as {}.
func walk(m map[string]any, path []string) any {
	var v any = m
	if m == nil {
		v = map[string]any{}
	}
	for _, p := range path {
		switch cur := v.(type) {
		case map[string]any:
			v = cur[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(cur) {
				return nil
			}
			v = cur[i]
		default:
			return nil
		}
	}
	return v
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// text is how a value reads when interpolated into a longer string.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}
