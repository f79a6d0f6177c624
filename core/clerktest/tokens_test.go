package clerktest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/go-jose/go-jose/v4"
)

// clock is a settable clock for tests that move time.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

var jtiPattern = regexp.MustCompile(`^[0-9a-f]{20}$`)

// TestSessionTokenExactClaims pins the header and every claim of a session
// token with an organization, plans, features, factors and an actor.
func TestSessionTokenExactClaims(t *testing.T) {
	clk := &clock{now: fixedNow}
	srv := start(t, clerktest.WithClock(clk.Now), clerktest.WithKeyID("ins_test"), clerktest.WithIssuer("https://clerk.example.com"))
	user, err := srv.AddUser(clerktest.User{ID: "user_1", Plan: "free", Features: []string{"dashboard"}})
	if err != nil {
		t.Fatal(err)
	}
	org, err := srv.AddOrganization(clerktest.Organization{ID: "org_1", Slug: "acme", Plan: "pro"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddMembership(org.ID, user.ID, "admin", "org:impersonation:read", "org:memberships:read", "org:memberships:manage", "org:sys_profile:manage"); err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession(user.ID,
		clerktest.WithSessionID("sess_1"),
		clerktest.WithActiveOrganization(org.ID),
		clerktest.WithAuthorizedParty("https://app.example.com"),
		clerktest.WithFactorAges(5, 2),
		clerktest.WithActor(clerktest.Actor{Subject: "user_admin", SessionID: "sess_admin"}),
	)
	clk.now = fixedNow.Add(3 * time.Minute) // factor ages grow with time

	viaAPI := tokenFrom(t, do(t, srv, http.MethodPost, "/v1/sessions/sess_1/tokens", bearer(srv), ""))
	viaGo, err := srv.SessionToken(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	iat := clk.now.Unix()
	wantHeader := map[string]any{"alg": "RS256", "kid": "ins_test", "typ": "JWT", "cat": "cl_B7d4PD111AAA"}
	wantClaims := map[string]any{
		"azp": "https://app.example.com",
		"exp": iat + 60,
		"iat": iat,
		"nbf": iat - 10,
		"iss": "https://clerk.example.com",
		"sid": "sess_1",
		"sub": "user_1",
		"v":   2,
		"sts": "active",
		"fva": []int{8, 5},
		"pla": "u:free,o:pro",
		"fea": "u:dashboard,o:impersonation,o:memberships",
		"o":   map[string]any{"id": "org_1", "slg": "acme", "rol": "admin", "per": "read,manage", "fpm": "1,3"},
		"act": map[string]any{"iss": "https://dashboard.clerk.com", "sid": "sess_admin", "sub": "user_admin"},
	}
	for name, jwt := range map[string]string{"api": viaAPI, "go": viaGo} {
		t.Run(name, func(t *testing.T) {
			header, claims := verified(t, srv, jwt)
			if !jsonEqual(t, header, wantHeader) {
				t.Errorf("header = %v, want %v", header, wantHeader)
			}
			if !jtiPattern.MatchString(claims["jti"].(string)) {
				t.Errorf("jti = %v", claims["jti"])
			}
			delete(claims, "jti")
			if !jsonEqual(t, claims, wantClaims) {
				t.Errorf("claims =\n%v\nwant\n%v", claims, wantClaims)
			}
		})
	}
}

func TestSessionTokenVariants(t *testing.T) {
	srv := start(t, clerktest.WithClock(func() time.Time { return fixedNow }))
	_ = must(srv.AddUser(clerktest.User{ID: "user_1"}))
	_ = must(srv.AddOrganization(clerktest.Organization{ID: "org_plain"}))
	_ = must(srv.AddOrganization(clerktest.Organization{ID: "org_plan", Slug: "plan", Features: []string{"billing", "memberships"}}))
	if err := srv.AddMembership("org_plain", "user_1", "org:member"); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddMembership("org_plan", "user_1", "viewer", "org:memberships:read", "org:secrets:read", "org:memberships:manage"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    []clerktest.SessionOption
		present map[string]any // claims that must have these values
		absent  []string
	}{
		{
			name:    "minimal",
			present: map[string]any{"sts": "active", "fva": []int{0, -1}, "v": 2},
			absent:  []string{"azp", "o", "act", "pla", "fea", "org_id"},
		},
		{
			name:    "pending",
			opts:    []clerktest.SessionOption{clerktest.WithSessionStatus(clerktest.SessionPending)},
			present: map[string]any{"sts": "pending"},
		},
		{
			name:    "never verified",
			opts:    []clerktest.SessionOption{clerktest.WithFactorAges(-1, -1)},
			present: map[string]any{"fva": []int{-1, -1}},
		},
		{
			name:    "org without permissions",
			opts:    []clerktest.SessionOption{clerktest.WithActiveOrganization("org_plain")},
			present: map[string]any{"o": map[string]any{"id": "org_plain", "rol": "member"}},
			absent:  []string{"fea", "pla"},
		},
		{
			// Features fixed by the plan: secrets is not on it, so its
			// permission is not granted; billing has no permission: 0.
			name:    "plan features",
			opts:    []clerktest.SessionOption{clerktest.WithActiveOrganization("org_plan")},
			present: map[string]any{"fea": "o:billing,o:memberships", "o": map[string]any{"id": "org_plan", "slg": "plan", "rol": "viewer", "per": "read,manage", "fpm": "0,3"}},
		},
		{
			name:    "actor default issuer",
			opts:    []clerktest.SessionOption{clerktest.WithActor(clerktest.Actor{Subject: "user_admin"})},
			present: map[string]any{"act": map[string]any{"iss": "https://dashboard.clerk.com", "sub": "user_admin"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess := srv.CreateSession("user_1", tt.opts...)
			jwt, err := srv.SessionToken(sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, claims := verified(t, srv, jwt)
			for k, want := range tt.present {
				if !jsonEqual(t, claims[k], want) {
					t.Errorf("%s = %v, want %v", k, claims[k], want)
				}
			}
			for _, k := range tt.absent {
				if _, ok := claims[k]; ok {
					t.Errorf("claim %s present: %v", k, claims[k])
				}
			}
		})
	}
}

func TestTokenOptions(t *testing.T) {
	srv := start(t, clerktest.WithClock(func() time.Time { return fixedNow }), clerktest.WithKeyID("ins_k"))
	mustOK(srv.AddTemplate(clerktest.Template{Name: "tpl", Lifetime: 120 * time.Second, AllowedClockSkew: 30 * time.Second}))
	sess := srv.CreateSession("user_1", clerktest.WithAuthorizedParty("https://a.example"))
	now := fixedNow.Unix()
	at := fixedNow.Add(-time.Hour)
	tests := []struct {
		name     string
		template string
		opts     []clerktest.TokenOption
		claims   map[string]any
		header   map[string]any
		absent   []string
	}{
		{name: "expired", opts: []clerktest.TokenOption{clerktest.TokenExpired()}, claims: map[string]any{"iat": now - 120, "exp": now - 60, "nbf": now - 130}},
		{name: "expired template", template: "tpl", opts: []clerktest.TokenOption{clerktest.TokenExpired()}, claims: map[string]any{"iat": now - 180, "exp": now - 60, "nbf": now - 210}},
		{name: "not yet valid", opts: []clerktest.TokenOption{clerktest.TokenNotYetValid()}, claims: map[string]any{"iat": now + 60, "nbf": now + 50, "exp": now + 120}},
		{name: "issued at", opts: []clerktest.TokenOption{clerktest.TokenIssuedAt(at)}, claims: map[string]any{"iat": at.Unix(), "exp": at.Unix() + 60}},
		{name: "lifetime", opts: []clerktest.TokenOption{clerktest.TokenLifetime(time.Hour)}, claims: map[string]any{"exp": now + 3600}},
		{name: "azp override", opts: []clerktest.TokenOption{clerktest.TokenAuthorizedParty("https://b.example")}, claims: map[string]any{"azp": "https://b.example"}},
		{name: "azp removed", opts: []clerktest.TokenOption{clerktest.TokenAuthorizedParty("")}, absent: []string{"azp"}},
		{
			name:   "extra, override and removed claims",
			opts:   []clerktest.TokenOption{clerktest.TokenClaims(map[string]any{"extra": []string{"x"}, "sub": "user_other", "v": nil})},
			claims: map[string]any{"extra": []string{"x"}, "sub": "user_other"},
			absent: []string{"v"},
		},
		{
			name:   "header fields",
			opts:   []clerktest.TokenOption{clerktest.TokenHeader(map[string]any{"x-extra": "1", "typ": nil})},
			header: map[string]any{"alg": "RS256", "kid": "ins_k", "cat": "cl_B7d4PD111AAA", "x-extra": "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jwt, err := srv.TemplateToken(sess.ID, tt.template, tt.opts...)
			if tt.template == "" {
				jwt, err = srv.SessionToken(sess.ID, tt.opts...)
			}
			if err != nil {
				t.Fatal(err)
			}
			header, claims := verified(t, srv, jwt) // signature holds whatever the options did
			for k, want := range tt.claims {
				if !jsonEqual(t, claims[k], want) {
					t.Errorf("%s = %v, want %v", k, claims[k], want)
				}
			}
			for _, k := range tt.absent {
				if _, ok := claims[k]; ok {
					t.Errorf("claim %s present", k)
				}
			}
			if tt.header != nil && !jsonEqual(t, header, tt.header) {
				t.Errorf("header = %v, want %v", header, tt.header)
			}
		})
	}

	t.Run("signed by a foreign key", func(t *testing.T) {
		jwt, err := srv.SessionToken(sess.ID, clerktest.TokenSignedBy(testKeys()[1], "ins_k"))
		if err != nil {
			t.Fatal(err)
		}
		var set jose.JSONWebKeySet
		if err := jsonUnmarshal(srv.JWKS(), &set); err != nil {
			t.Fatal(err)
		}
		jws, err := jose.ParseSignedCompact(jwt, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jws.Verify(set.Key("ins_k")[0]); err == nil {
			t.Fatal("token signed by a foreign key verified against the JWKS")
		}
		if _, err := jws.Verify(&testKeys()[1].PublicKey); err != nil {
			t.Fatalf("foreign key does not verify its own token: %v", err)
		}
	})
}

func TestMintErrors(t *testing.T) {
	srv := start(t)
	_ = must(srv.AddOrganization(clerktest.Organization{ID: "org_1"}))
	noMember := srv.CreateSession("user_1", clerktest.WithActiveOrganization("org_1"))
	noOrg := srv.CreateSession("user_1", clerktest.WithActiveOrganization("org_gone"))
	tests := []struct {
		name    string
		mint    func() (string, error)
		want    error
		path    string
		status  int
		errCode string
	}{
		{name: "unknown session", mint: func() (string, error) { return srv.SessionToken("sess_nope") }, want: clerktest.ErrSessionNotFound},
		{name: "unknown template", mint: func() (string, error) { return srv.TemplateToken(noMember.ID, "nope") }, want: clerktest.ErrTemplateNotFound},
		{name: "no membership", mint: func() (string, error) { return srv.SessionToken(noMember.ID) }, want: clerktest.ErrMembershipNotFound, path: "/v1/sessions/" + noMember.ID + "/tokens", status: 500, errCode: "internal_clerk_error"},
		{name: "no organization", mint: func() (string, error) { return srv.SessionToken(noOrg.ID) }, want: clerktest.ErrOrganizationNotFound, path: "/v1/sessions/" + noOrg.ID + "/tokens", status: 500, errCode: "internal_clerk_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.mint(); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if tt.path == "" {
				return
			}
			r := do(t, srv, "POST", tt.path, bearer(srv), "")
			if r.status != tt.status || parseErrors(t, r).Errors[0].Code != tt.errCode {
				t.Errorf("API answered %d %s", r.status, r.body)
			}
		})
	}
	// The Go API mints for ended sessions; only the HTTP API refuses them.
	ended := srv.CreateSession("user_1", clerktest.WithSessionStatus(clerktest.SessionEnded))
	if _, err := srv.SessionToken(ended.ID); err != nil {
		t.Errorf("SessionToken(ended) = %v", err)
	}
}

func TestSessionState(t *testing.T) {
	clk := &clock{now: fixedNow}
	srv := start(t, clerktest.WithClock(clk.Now))
	sess := srv.CreateSession("user_1", clerktest.WithSessionLifetime(time.Hour))
	if !regexp.MustCompile(`^sess_[A-Za-z0-9]{27}$`).MatchString(sess.ID) || sess.Status != clerktest.SessionActive {
		t.Fatalf("session = %+v", sess)
	}
	path := "/v1/sessions/" + sess.ID + "/tokens"
	steps := []struct {
		name   string
		act    func() error
		status clerktest.SessionStatus
		code   int
	}{
		{"active", func() error { return nil }, clerktest.SessionActive, 200},
		{"clock passes expiry", func() error { clk.now = fixedNow.Add(time.Hour); return nil }, clerktest.SessionExpired, 404},
		{"reactivated", func() error { return srv.SetSessionStatus(sess.ID, clerktest.SessionActive) }, clerktest.SessionActive, 200},
		{"ended", func() error { return srv.EndSession(sess.ID) }, clerktest.SessionEnded, 404},
		{"pending", func() error { return srv.SetSessionStatus(sess.ID, clerktest.SessionPending) }, clerktest.SessionPending, 200},
		{"revoked", func() error { return srv.RevokeSession(sess.ID) }, clerktest.SessionRevoked, 404},
		{"expired", func() error { return srv.ExpireSession(sess.ID) }, clerktest.SessionExpired, 404},
	}
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got, ok := srv.Session(sess.ID)
		if !ok || got.Status != st.status {
			t.Errorf("%s: status = %v, want %v", st.name, got.Status, st.status)
		}
		if r := do(t, srv, "POST", path, bearer(srv), ""); r.status != st.code {
			t.Errorf("%s: API status = %d, want %d", st.name, r.status, st.code)
		}
	}
	if err := srv.EndSession("sess_nope"); !errors.Is(err, clerktest.ErrSessionNotFound) {
		t.Errorf("EndSession(unknown) = %v", err)
	}
	if _, ok := srv.Session("sess_nope"); ok {
		t.Error("Session(unknown) found")
	}
	if err := srv.AddMembership("org_nope", "user_1", "admin"); !errors.Is(err, clerktest.ErrOrganizationNotFound) {
		t.Errorf("AddMembership(unknown org) = %v", err)
	}
	_ = must(srv.AddOrganization(clerktest.Organization{ID: "org_1"}))
	for _, bad := range [][]string{{""}, {"admin", "memberships:read"}, {"admin", "org:memberships"}, {"admin", "org::read"}} {
		if err := srv.AddMembership("org_1", "user_1", bad[0], bad[1:]...); err == nil {
			t.Errorf("AddMembership(%q) accepted", bad)
		}
	}
}

// TestTemplateTokenDefaults checks the default claims a template cannot
// override and the claims a template token never carries.
func TestTemplateTokenDefaults(t *testing.T) {
	srv := start(t, clerktest.WithClock(func() time.Time { return fixedNow }), clerktest.WithKeyID("ins_t"), clerktest.WithIssuer("https://clerk.example.com"))
	err := srv.AddTemplate(clerktest.Template{
		Name:             "reserved",
		Lifetime:         600 * time.Second,
		AllowedClockSkew: 20 * time.Second,
		Claims: map[string]any{
			"azp": "https://evil.example", "exp": 1, "iat": 1, "iss": "https://evil.example",
			"jti": "mine", "nbf": 1, "sub": "user_evil", "custom": "{{user.id}}",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mustOK(srv.AddTemplate(clerktest.Template{Name: "noskew", AllowedClockSkew: clerktest.NoClockSkew}))
	mustOK(srv.AddTemplate(clerktest.Template{Name: "defaults"}))
	_ = must(srv.AddOrganization(clerktest.Organization{ID: "org_1"}))
	mustOK(srv.AddMembership("org_1", "user_1", "admin", "org:a:b"))
	withAZP := srv.CreateSession("user_1", clerktest.WithAuthorizedParty("https://app.example"), clerktest.WithActiveOrganization("org_1"))
	noAZP := srv.CreateSession("user_1")
	iat := fixedNow.Unix()
	tests := []struct {
		name, session, template string
		want                    map[string]any
	}{
		{"reserved claims ignored", withAZP.ID, "reserved", map[string]any{
			"azp": "https://app.example", "exp": iat + 600, "iat": iat, "iss": "https://clerk.example.com",
			"nbf": iat - 20, "sub": "user_1", "custom": "user_1",
		}},
		{"azp omitted when unknown", noAZP.ID, "reserved", map[string]any{
			"exp": iat + 600, "iat": iat, "iss": "https://clerk.example.com", "nbf": iat - 20, "sub": "user_1", "custom": "user_1",
		}},
		{"default lifetime and skew", noAZP.ID, "defaults", map[string]any{
			"exp": iat + 60, "iat": iat, "iss": "https://clerk.example.com", "nbf": iat - 5, "sub": "user_1",
		}},
		{"zero skew", noAZP.ID, "noskew", map[string]any{
			"exp": iat + 60, "iat": iat, "iss": "https://clerk.example.com", "nbf": iat, "sub": "user_1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jwt := tokenFrom(t, do(t, srv, "POST", "/v1/sessions/"+tt.session+"/tokens/"+tt.template, bearer(srv), ""))
			header, claims := verified(t, srv, jwt)
			if want := map[string]any{"alg": "RS256", "kid": "ins_t", "typ": "JWT", "cat": "cl_B7d4PD222AAA"}; !jsonEqual(t, header, want) {
				t.Errorf("header = %v, want %v", header, want)
			}
			if jti, _ := claims["jti"].(string); !jtiPattern.MatchString(jti) {
				t.Errorf("jti = %v", claims["jti"])
			}
			delete(claims, "jti")
			if !jsonEqual(t, claims, tt.want) {
				t.Errorf("claims = %v, want %v", claims, tt.want)
			}
		})
	}
}

func TestTemplateSigningKeys(t *testing.T) {
	srv := start(t)
	sess := srv.CreateSession("user_1")
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testKeys()[2])}))
	pkcs8, err := x509.MarshalPKCS8PrivateKey(testKeys()[2])
	if err != nil {
		t.Fatal(err)
	}
	rsaPKCS8 := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}))
	ec384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec384DER, _ := x509.MarshalPKCS8PrivateKey(ec384)
	ec384PEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ec384DER}))
	secret := "a-shared-secret-long-enough-for-HS512-which-wants-64-bytes-of-key"
	tests := []struct {
		alg, key string
		verify   any
	}{
		{"HS256", secret, []byte(secret)},
		{"HS384", secret, []byte(secret)},
		{"HS512", secret, []byte(secret)},
		{"RS256", rsaPEM, &testKeys()[2].PublicKey},
		{"RS384", rsaPKCS8, &testKeys()[2].PublicKey},
		{"RS512", rsaPEM, &testKeys()[2].PublicKey},
		{"ES256", ecPEM, &ecKey.PublicKey},
		{"ES384", ec384PEM, &ec384.PublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			name := "custom-" + tt.alg
			if err := srv.AddTemplate(clerktest.Template{Name: name, SigningAlgorithm: tt.alg, SigningKey: tt.key, Claims: map[string]any{"role": "authenticated"}}); err != nil {
				t.Fatal(err)
			}
			jwt := tokenFrom(t, do(t, srv, "POST", "/v1/sessions/"+sess.ID+"/tokens/"+name, bearer(srv), ""))
			jws, err := jose.ParseSignedCompact(jwt, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tt.alg)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := jws.Verify(tt.verify); err != nil {
				t.Fatalf("verify: %v", err)
			}
			header, claims := decoded(t, jwt)
			if want := map[string]any{"alg": tt.alg, "typ": "JWT", "cat": "cl_B7d4PD222AAA"}; !jsonEqual(t, header, want) {
				t.Errorf("header = %v, want %v (no kid: the key is not in the JWKS)", header, want)
			}
			if claims["role"] != "authenticated" || claims["sub"] != "user_1" {
				t.Errorf("claims = %v", claims)
			}
		})
	}
}

func TestAddTemplateValidation(t *testing.T) {
	srv := start(t)
	tests := []struct {
		name string
		tpl  clerktest.Template
		ok   bool
	}{
		{"minimal", clerktest.Template{Name: "a"}, true},
		{"claims JSON", clerktest.Template{Name: "a", ClaimsJSON: `{"x":"{{user.id}}","n":1}`}, true},
		{"bounds", clerktest.Template{Name: "a", Lifetime: 315360000 * time.Second, AllowedClockSkew: 300 * time.Second}, true},
		{"no name", clerktest.Template{}, false},
		{"both claim forms", clerktest.Template{Name: "a", Claims: map[string]any{}, ClaimsJSON: "{}"}, false},
		{"claims JSON array", clerktest.Template{Name: "a", ClaimsJSON: `[1]`}, false},
		{"claims JSON broken", clerktest.Template{Name: "a", ClaimsJSON: `{"x":`}, false},
		{"claims not JSON", clerktest.Template{Name: "a", Claims: map[string]any{"f": func() {}}}, false},
		{"lifetime too short", clerktest.Template{Name: "a", Lifetime: 29 * time.Second}, false},
		{"lifetime too long", clerktest.Template{Name: "a", Lifetime: 315360001 * time.Second}, false},
		{"lifetime fractional", clerktest.Template{Name: "a", Lifetime: 30500 * time.Millisecond}, false},
		{"skew too large", clerktest.Template{Name: "a", AllowedClockSkew: 301 * time.Second}, false},
		{"unknown algorithm", clerktest.Template{Name: "a", SigningAlgorithm: "none", SigningKey: "x"}, false},
		{"empty HMAC key", clerktest.Template{Name: "a", SigningAlgorithm: "HS256"}, false},
		{"RSA key not PEM", clerktest.Template{Name: "a", SigningAlgorithm: "RS256", SigningKey: "nope"}, false},
		{"key without algorithm", clerktest.Template{Name: "a", SigningKey: "secret"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := srv.AddTemplate(tt.tpl); (err == nil) != tt.ok {
				t.Errorf("AddTemplate = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if err := srv.RemoveTemplate("a"); err != nil {
		t.Errorf("RemoveTemplate = %v", err)
	}
	if err := srv.RemoveTemplate("a"); !errors.Is(err, clerktest.ErrTemplateNotFound) {
		t.Errorf("RemoveTemplate twice = %v", err)
	}
}
