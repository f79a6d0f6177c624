package clerktest_test

import (
	"testing"
)

func TestSeedDemoRendersTheTemplate(t *testing.T) {
	srv := start(t)
	demo, err := srv.SeedDemo("supabase")
	if err != nil {
		t.Fatal(err)
	}
	token, err := srv.TemplateToken(demo.SessionID, "supabase")
	if err != nil {
		t.Fatal(err)
	}
	_, claims := verified(t, srv, token)
	want := map[string]any{
		"sub":      demo.UserID,
		"name":     "Ada Lovelace",
		"email":    "ada@example.com",
		"role":     "admin",
		"org":      "acme",
		"greeting": "Hello, Ada!",
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	session, err := srv.SessionToken(demo.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	_, sc := verified(t, srv, session)
	if o, _ := sc["o"].(map[string]any); o["id"] != demo.OrganizationID || o["rol"] != "admin" {
		t.Errorf("session token organization = %v", sc["o"])
	}
}
