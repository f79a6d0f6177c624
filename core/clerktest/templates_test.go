package clerktest_test

import (
	"encoding/json"
	"testing"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// TestTemplateRendering renders one claim per case through the HTTP API and
// compares its JSON encoding, so the JSON type is part of the expectation.
func TestTemplateRendering(t *testing.T) {
	srv := start(t)
	_ = must(srv.AddUser(clerktest.User{
		ID:                  "user_full",
		FirstName:           "Ada",
		LastName:            "Lovelace",
		Username:            "ada",
		ExternalID:          "ext-42",
		EmailAddresses:      []clerktest.EmailAddress{{Address: "old@example.com", Unverified: true}, {Address: "ada@example.com"}},
		PrimaryEmailAddress: "ada@example.com",
		PrimaryPhoneNumber:  "+15555550100",
		ImageURL:            "https://img.example.com/ada.png",
		PublicMetadata: map[string]any{
			"role": "admin", "level": 3, "beta": true, "off": false, "none": nil,
			"team": map[string]any{"name": "core", "size": 7}, "tags": []any{"a", "b"},
			"big": json.Number("12345678901234567890"),
		},
		UnsafeMetadata: map[string]any{"theme": "dark"},
	}))
	_ = must(srv.AddUser(clerktest.User{ID: "user_bare", FirstName: "Solo", EmailAddresses: []clerktest.EmailAddress{{Address: "u@example.com", Unverified: true}}}))
	_ = must(srv.AddOrganization(clerktest.Organization{ID: "org_1", Name: "Acme Inc", Slug: "acme", PublicMetadata: map[string]any{"tier": "gold", "seats": 10}}))
	mustOK(srv.AddMembership("org_1", "user_full", "admin", "org:memberships:read"))
	full := srv.CreateSession("user_full", clerktest.WithActiveOrganization("org_1"), clerktest.WithActor(clerktest.Actor{Subject: "user_admin", SessionID: "sess_admin"}))
	bare := srv.CreateSession("user_bare")
	ghost := srv.CreateSession("user_never_added")

	tests := []struct {
		name    string
		session string
		value   any    // the claim's value in the template
		want    string // JSON of the rendered claim
	}{
		// Whole-value shortcodes keep the value's JSON type.
		{"id", full.ID, "{{user.id}}", `"user_full"`},
		{"first name", full.ID, "{{user.first_name}}", `"Ada"`},
		{"last name", full.ID, "{{user.last_name}}", `"Lovelace"`},
		{"full name", full.ID, "{{user.full_name}}", `"Ada Lovelace"`},
		{"full name, first only", bare.ID, "{{user.full_name}}", `"Solo"`},
		{"username", full.ID, "{{user.username}}", `"ada"`},
		{"external id", full.ID, "{{user.external_id}}", `"ext-42"`},
		{"primary email", full.ID, "{{user.primary_email_address}}", `"ada@example.com"`},
		{"primary email defaults to first", bare.ID, "{{user.primary_email_address}}", `"u@example.com"`},
		{"phone", full.ID, "{{user.primary_phone_number}}", `"+15555550100"`},
		{"email verified", full.ID, "{{user.email_verified}}", `true`},
		{"email unverified", bare.ID, "{{user.email_verified}}", `false`},
		{"image", full.ID, "{{user.image_url}}", `"https://img.example.com/ada.png"`},
		{"public metadata object", full.ID, "{{user.public_metadata.team}}", `{"name":"core","size":7}`},
		{"whole public metadata", bare.ID, "{{user.public_metadata}}", `{}`},
		{"unsafe metadata", full.ID, "{{user.unsafe_metadata}}", `{"theme":"dark"}`},
		{"metadata string", full.ID, "{{user.public_metadata.role}}", `"admin"`},
		{"metadata number", full.ID, "{{user.public_metadata.level}}", `3`},
		{"metadata big integer stays exact", full.ID, "{{user.public_metadata.big}}", `12345678901234567890`},
		{"metadata bool", full.ID, "{{user.public_metadata.beta}}", `true`},
		{"metadata array", full.ID, "{{user.public_metadata.tags}}", `["a","b"]`},
		{"metadata array index", full.ID, "{{user.public_metadata.tags.1}}", `"b"`},
		{"metadata nested path", full.ID, "{{user.public_metadata.team.size}}", `7`},
		{"metadata missing key", full.ID, "{{user.public_metadata.nope}}", `null`},
		{"metadata path through scalar", full.ID, "{{user.public_metadata.role.x}}", `null`},
		{"unsafe metadata path", full.ID, "{{user.unsafe_metadata.theme}}", `"dark"`},
		{"spaces inside braces", full.ID, "{{  user.id  }}", `"user_full"`},
		{"org id", full.ID, "{{org.id}}", `"org_1"`},
		{"org role keeps prefix", full.ID, "{{org.role}}", `"org:admin"`},
		{"org slug", full.ID, "{{org.slug}}", `"acme"`},
		{"org name", full.ID, "{{org.name}}", `"Acme Inc"`},
		{"org metadata", full.ID, "{{org.public_metadata.seats}}", `10`},
		{"org without active org", bare.ID, "{{org.id}}", `null`},
		{"actor", full.ID, "{{session.actor}}", `{"iss":"https://dashboard.clerk.com","sid":"sess_admin","sub":"user_admin"}`},
		{"no actor", bare.ID, "{{session.actor}}", `null`},
		// Unknown shortcodes render as null.
		{"unknown user field", full.ID, "{{user.password}}", `null`},
		{"unknown scope", full.ID, "{{tenant.id}}", `null`},
		{"bare scope", full.ID, "{{user}}", `null`},
		{"empty shortcode", full.ID, "{{}}", `null`},
		{"absent field is null", bare.ID, "{{user.last_name}}", `null`},
		{"user never added", ghost.ID, "{{user.first_name}}", `null`},
		{"user never added keeps id", ghost.ID, "{{user.id}}", `"user_never_added"`},
		// Inside a longer string every shortcode interpolates as text.
		{"interpolated", full.ID, "Hello, {{user.first_name}}!", `"Hello, Ada!"`},
		{"two shortcodes", full.ID, "{{user.first_name}} {{user.last_name}}", `"Ada Lovelace"`},
		{"interpolated null", bare.ID, "name: {{user.last_name}}", `"name: null"`},
		{"interpolated number", full.ID, "level-{{user.public_metadata.level}}", `"level-3"`},
		{"interpolated bool", full.ID, "beta={{user.public_metadata.beta}}", `"beta=true"`},
		{"interpolated object", full.ID, "team={{user.public_metadata.team}}", `"team={\"name\":\"core\",\"size\":7}"`},
		{"leading space is interpolation", full.ID, " {{user.public_metadata.level}}", `" 3"`},
		{"unterminated", full.ID, "{{user.id", `"{{user.id"`},
		{"no shortcode", full.ID, "plain", `"plain"`},
		// Fallbacks take the first value that is neither null nor false.
		{"fallback to literal", bare.ID, "{{user.last_name || 'none'}}", `"none"`},
		{"fallback double quotes", bare.ID, `{{user.last_name || "none"}}`, `"none"`},
		{"fallback first wins", full.ID, "{{user.username || 'none'}}", `"ada"`},
		{"fallback chain", bare.ID, "{{user.username || user.first_name || 'x'}}", `"Solo"`},
		{"fallback skips false", full.ID, "{{user.public_metadata.off || 'on'}}", `"on"`},
		{"fallback skips explicit null", full.ID, "{{user.public_metadata.none || 1}}", `1`},
		{"fallback keeps type", bare.ID, "{{user.public_metadata.level || 0}}", `0`},
		{"fallback bool literal", bare.ID, "{{user.unsafe_metadata.x || true}}", `true`},
		{"fallback all null", bare.ID, "{{user.last_name || user.username}}", `null`},
		{"fallback ends false", bare.ID, "{{user.last_name || false}}", `false`},
		{"literal holding pipes", bare.ID, "{{user.last_name || 'a||b'}}", `"a||b"`},
		{"interpolated fallback", bare.ID, "Hi {{user.last_name || 'there'}}", `"Hi there"`},
		// Non-string values pass through; containers render recursively.
		{"number", full.ID, 42, `42`},
		{"bool", full.ID, false, `false`},
		{"null", full.ID, nil, `null`},
		{"nested object", full.ID, map[string]any{"x-hasura-user-id": "{{user.id}}", "roles": []any{"{{org.role}}", "user"}},
			`{"roles":["org:admin","user"],"x-hasura-user-id":"user_full"}`},
	}
	claims := map[string]any{}
	for i, tt := range tests {
		claims[key(i)] = tt.value
	}
	if err := srv.AddTemplate(clerktest.Template{Name: "all", Claims: claims}); err != nil {
		t.Fatal(err)
	}
	rendered := map[string]map[string]any{}
	for _, sess := range []string{full.ID, bare.ID, ghost.ID} {
		jwt := tokenFrom(t, do(t, srv, "POST", "/v1/sessions/"+sess+"/tokens/all", bearer(srv), ""))
		_, rendered[sess] = verified(t, srv, jwt)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := rendered[tt.session][key(i)]
			if !ok {
				t.Fatalf("claim missing; null values must stay as null claims")
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("%v rendered as %s, want %s", tt.value, b, tt.want)
			}
		})
	}
}

func key(i int) string { return "c" + string(rune('A'+i/26)) + string(rune('a'+i%26)) }

// A template's claims are not changed by rendering: two mints for different
// users each see their own values.
func TestTemplateRenderingDoesNotLeak(t *testing.T) {
	srv := start(t)
	_ = must(srv.AddUser(clerktest.User{ID: "user_a", PublicMetadata: map[string]any{"n": "a"}}))
	_ = must(srv.AddUser(clerktest.User{ID: "user_b", PublicMetadata: map[string]any{"n": "b"}}))
	mustOK(srv.AddTemplate(clerktest.Template{Name: "t", Claims: map[string]any{"n": map[string]any{"v": "{{user.public_metadata.n}}"}}}))
	for _, u := range []string{"user_a", "user_b", "user_a"} {
		jwt, err := srv.TemplateToken(srv.CreateSession(u).ID, "t")
		if err != nil {
			t.Fatal(err)
		}
		_, claims := decoded(t, jwt)
		if got := claims["n"].(map[string]any)["v"]; got != u[len(u)-1:] {
			t.Errorf("%s: n.v = %v", u, got)
		}
	}
}
