package clerktest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// FuzzTemplateClaims feeds arbitrary claim text to the shortcode renderer:
// any template AddTemplate accepts must mint a token whose claims are a JSON
// object.
func FuzzTemplateClaims(f *testing.F) {
	for _, s := range []string{
		"{{user.id}}", "a {{user.first_name}} b", "{{user.public_metadata.x.0 || 'y'}}",
		"{{", "}}", "{{}}", "{{'}}'}}", `{{"a||b" || 1}}`, "{{user.public_metadata..}}", "{{ || }}",
	} {
		f.Add(s, `{"k":"`+strings.ReplaceAll(s, `"`, `\"`)+`"}`)
	}
	srv := clerktest.NewServer(clerktest.WithKey(testKeys()[0]))
	f.Cleanup(srv.Close)
	if _, err := srv.AddUser(clerktest.User{ID: "user_1", FirstName: "A", PublicMetadata: map[string]any{"x": []any{1}}}); err != nil {
		f.Fatal(err)
	}
	sess := srv.CreateSession("user_1")
	f.Fuzz(func(t *testing.T, value, claimsJSON string) {
		for _, tpl := range []clerktest.Template{
			{Name: "v", Claims: map[string]any{"c": value, "nested": []any{value, map[string]any{"d": value}}}},
			{Name: "j", ClaimsJSON: claimsJSON},
		} {
			if err := srv.AddTemplate(tpl); err != nil {
				continue
			}
			jwt, err := srv.TemplateToken(sess.ID, tpl.Name)
			if err != nil {
				t.Fatalf("template %q: %v", tpl.Name, err)
			}
			_, claims := decoded(t, jwt)
			if claims["sub"] != "user_1" {
				t.Fatalf("sub = %v", claims["sub"])
			}
		}
	})
}

// FuzzTokenRequest sends arbitrary bodies and session id segments to the
// token endpoint: the answer is a token or a ClerkErrors body, never a 5xx.
func FuzzTokenRequest(f *testing.F) {
	for _, b := range []string{"", "{}", `{"expires_in_seconds":60}`, `{"expires_in_seconds":"x"}`, "[", "null", `{"a":1}`} {
		f.Add("sess_fixed", b)
	}
	f.Add("sess%2Ffixed", "")
	f.Add("..", "")
	srv := clerktest.NewServer(clerktest.WithKey(testKeys()[0]))
	f.Cleanup(srv.Close)
	srv.CreateSession("user_1", clerktest.WithSessionID("sess_fixed"))
	client := srv.Client()
	f.Fuzz(func(t *testing.T, segment, body string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1/sessions/"+segment+"/tokens", strings.NewReader(body))
		if err != nil {
			return // not a URL a client could send
		}
		req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
		res, err := client.Do(req)
		if err != nil {
			return // rejected by net/http before the emulator saw it
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode == http.StatusBadRequest && string(b) == "400 Bad Request" {
			return // net/http's server refused the request line before the emulator saw it
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		var answer map[string]any
		if err := dec.Decode(&answer); err != nil {
			t.Fatalf("%d answer is not JSON: %q", res.StatusCode, b)
		}
		switch res.StatusCode {
		case http.StatusOK:
			if answer["object"] != "token" {
				t.Fatalf("200 without a token: %s", b)
			}
		case http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity:
			if errs, _ := answer["errors"].([]any); len(errs) != 1 || answer["clerk_trace_id"] == "" {
				t.Fatalf("%d error body %s", res.StatusCode, b)
			}
		default:
			t.Fatalf("status %d: %s", res.StatusCode, b)
		}
	})
}
