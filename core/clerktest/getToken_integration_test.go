package clerktest_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// TestGetTokenAgainstEmulator drives the core client against the emulator:
// a session token first, then a template with shortcodes, checking the
// returned JWTs field by field and what the client put on the wire.
func TestGetTokenAgainstEmulator(t *testing.T) {
	srv := start(t,
		clerktest.WithClock(func() time.Time { return fixedNow }),
		clerktest.WithKeyID("ins_getToken"),
		clerktest.WithIssuer("https://clerk.example.com"),
	)
	_ = must(srv.AddUser(clerktest.User{
		ID:             "user_ada",
		FirstName:      "Ada",
		LastName:       "Lovelace",
		EmailAddresses: []clerktest.EmailAddress{{Address: "ada@example.com"}},
		PublicMetadata: map[string]any{"tier": "gold", "quota": 5},
	}))
	_ = must(srv.AddOrganization(clerktest.Organization{ID: "org_acme", Slug: "acme", Name: "Acme"}))
	if err := srv.AddMembership("org_acme", "user_ada", "admin", "org:memberships:manage"); err != nil {
		t.Fatal(err)
	}
	err := srv.AddTemplate(clerktest.Template{
		Name:             "hasura",
		AllowedClockSkew: 15 * time.Second,
		Claims: map[string]any{
			"https://hasura.io/jwt/claims": map[string]any{
				"x-hasura-user-id":       "{{user.id}}",
				"x-hasura-default-role":  "{{org.role || 'user'}}",
				"x-hasura-allowed-roles": []any{"user", "{{org.role}}"},
			},
			"email":    "{{user.primary_email_address}}",
			"name":     "{{user.full_name}}",
			"quota":    "{{user.public_metadata.quota}}",
			"tier":     "{{user.public_metadata.tier || 'free'}}",
			"greeting": "Hi {{user.first_name}} of {{org.name}}",
			"missing":  "{{user.nope}}",
			"sub":      "user_spoofed", // reserved: the default wins
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_ada", clerktest.WithActiveOrganization("org_acme"), clerktest.WithAuthorizedParty("https://app.example.com"))

	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	ctx := context.Background()
	iat := fixedNow.Unix()

	// A session token minted by the emulator's Go API and one fetched by
	// the client carry the same claims apart from jti.
	direct, err := srv.SessionToken(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	fetched, err := client.GetToken(ctx, sess.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	_, dc := verified(t, srv, direct)
	fh, fc := verified(t, srv, fetched.JWT)
	if fh["cat"] != clerktest.CategorySessionToken || fc["sid"] != sess.ID || fc["sub"] != "user_ada" {
		t.Errorf("session token header %v claims %v", fh, fc)
	}
	delete(dc, "jti")
	delete(fc, "jti")
	if !jsonEqual(t, dc, fc) {
		t.Errorf("fetched session claims %v differ from direct %v", fc, dc)
	}

	tok, err := client.GetToken(ctx, sess.ID, "hasura", clerk.WithExpiresInSeconds(120))
	if err != nil {
		t.Fatal(err)
	}
	// The wire: what the client sent.
	last := srv.LastRequest()
	wire := []struct{ name, got, want string }{
		{"method", last.Method, "POST"},
		{"path", last.Path, "/v1/sessions/" + sess.ID + "/tokens/hasura"},
		{"body", string(last.Body), `{"expires_in_seconds":120}`},
		{"Authorization", last.Header.Get("Authorization"), "Bearer " + srv.SecretKey()},
		{"Content-Type", last.Header.Get("Content-Type"), "application/json"},
		{"Clerk-API-Version", last.Header.Get("Clerk-API-Version"), "2026-05-12"},
	}
	for _, w := range wire {
		if w.got != w.want {
			t.Errorf("request %s = %q, want %q", w.name, w.got, w.want)
		}
	}
	if last.Header.Get("User-Agent") == "" {
		t.Error("no User-Agent")
	}

	header, claims := verified(t, srv, tok.JWT)
	headerWant := []struct {
		field string
		want  any
	}{
		{"alg", "RS256"},
		{"kid", "ins_getToken"},
		{"typ", "JWT"},
		{"cat", "cl_B7d4PD222AAA"},
	}
	for _, h := range headerWant {
		if header[h.field] != h.want {
			t.Errorf("header %s = %v, want %v", h.field, header[h.field], h.want)
		}
	}
	if len(header) != len(headerWant) {
		t.Errorf("header has extra fields: %v", header)
	}
	claimsWant := []struct {
		claim string
		want  any
	}{
		{"azp", "https://app.example.com"},
		{"exp", iat + 120},
		{"iat", iat},
		{"iss", "https://clerk.example.com"},
		{"nbf", iat - 15},
		{"sub", "user_ada"},
		{"https://hasura.io/jwt/claims", map[string]any{
			"x-hasura-user-id":       "user_ada",
			"x-hasura-default-role":  "org:admin",
			"x-hasura-allowed-roles": []any{"user", "org:admin"},
		}},
		{"email", "ada@example.com"},
		{"name", "Ada Lovelace"},
		{"quota", 5},
		{"tier", "gold"},
		{"greeting", "Hi Ada of Acme"},
		{"missing", nil},
	}
	for _, c := range claimsWant {
		got, ok := claims[c.claim]
		if !ok || !jsonEqual(t, got, c.want) {
			t.Errorf("claim %s = %v (present %v), want %v", c.claim, got, ok, c.want)
		}
	}
	if jti, _ := claims["jti"].(string); !jtiPattern.MatchString(jti) {
		t.Errorf("jti = %v", claims["jti"])
	}
	var names []string
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) != len(claimsWant)+1 {
		t.Errorf("claims are exactly %v; want only the checked ones and jti", names)
	}
}

func TestGetTokenErrorsAgainstEmulator(t *testing.T) {
	srv := start(t)
	sess := srv.CreateSession("user_1")
	ended := srv.CreateSession("user_1", clerktest.WithSessionStatus(clerktest.SessionEnded))
	fast := clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second})
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), fast)
	if err != nil {
		t.Fatal(err)
	}
	wrongKey, err := clerk.NewClient("sk_test_notTheEmulatorsKey", clerk.WithAPIURL(srv.URL), fast)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name     string
		client   *clerk.Client
		setup    func()
		session  string
		template string
		sentinel error // nil: success
		code     string
		long     string
		requests int
	}{
		{name: "unknown template", client: client, session: sess.ID, template: "nope", sentinel: clerk.ErrNotFound, code: "resource_not_found", long: "No JWT template exists with name: nope", requests: 1},
		{name: "unknown session", client: client, session: "sess_nope", sentinel: clerk.ErrNotFound, code: "resource_not_found", requests: 1},
		{name: "ended session", client: client, session: ended.ID, sentinel: clerk.ErrNotFound, code: "resource_not_found", requests: 1},
		{name: "wrong key", client: wrongKey, session: sess.ID, sentinel: clerk.ErrUnauthorized, code: "clerk_key_invalid", requests: 1},
		{name: "retried 503", client: client, setup: func() { srv.FailNext(1, 503) }, session: sess.ID, requests: 2},
		{name: "retried 429", client: client, setup: func() { srv.RateLimitNext(1, "1") }, session: sess.ID, requests: 2},
		{name: "retried drop", client: client, setup: func() { srv.DropNext(1) }, session: sess.ID, requests: 2},
		{name: "persistent 503", client: client, setup: func() { srv.FailNext(3, 503) }, session: sess.ID, sentinel: clerk.ErrServerError, code: "service_unavailable", requests: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			if tt.setup != nil {
				tt.setup()
			}
			tok, err := tt.client.GetToken(ctx, tt.session, tt.template)
			if got := srv.Requests(clerktest.EndpointTokens); got != tt.requests {
				t.Errorf("requests = %d, want %d", got, tt.requests)
			}
			if tt.sentinel == nil {
				if err != nil {
					t.Fatal(err)
				}
				verified(t, srv, tok.JWT)
				return
			}
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("err = %v, want %v", err, tt.sentinel)
			}
			var apiErr *clerk.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err %T is not an *APIError", err)
			}
			if apiErr.Code() != tt.code || apiErr.TraceID == "" {
				t.Errorf("code %q trace %q, want %q and a trace id", apiErr.Code(), apiErr.TraceID, tt.code)
			}
			if tt.long != "" && apiErr.Errors[0].LongMessage != tt.long {
				t.Errorf("long_message = %q", apiErr.Errors[0].LongMessage)
			}
		})
	}
}
