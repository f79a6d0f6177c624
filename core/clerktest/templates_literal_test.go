package clerktest_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// TestTemplateNumberLiterals: a number literal in a shortcode keeps its
// JSON spelling, and terms strconv reads as numbers but JSON does not
// ("00", "+1", "Inf") are unknown paths, hence null. FuzzTemplateClaims
// found "{{00}}" making every token of its template unencodable.
func TestTemplateNumberLiterals(t *testing.T) {
	srv := start(t)
	_ = must(srv.AddUser(clerktest.User{ID: "user_1"}))
	sess := srv.CreateSession("user_1")
	for shortcode, want := range map[string]string{
		"{{1}}": `1`, "{{-1.5e3}}": `-1.5e3`, "{{0}}": `0`, "{{user.nope || 7}}": `7`,
		"{{00}}": `null`, "{{+1}}": `null`, "{{.5}}": `null`, "{{1_0}}": `null`, "{{0x10}}": `null`,
		"{{Inf}}": `null`, "{{NaN}}": `null`, "{{1e400}}": `null`, "{{00 || 2}}": `2`,
	} {
		if err := srv.AddTemplate(clerktest.Template{Name: "n", Claims: map[string]any{"v": shortcode}}); err != nil {
			t.Fatalf("%s: %v", shortcode, err)
		}
		jwt, err := srv.TemplateToken(sess.ID, "n")
		if err != nil {
			t.Fatalf("%s: %v", shortcode, err)
		}
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]json.RawMessage
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		if got := string(claims["v"]); got != want {
			t.Errorf("%s renders %s, want %s", shortcode, got, want)
		}
	}
}
