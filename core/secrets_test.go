package clerk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// Secrets the library must never show. Both keys are well-formed, so they
// reach the wire; the wrong one is refused by the server.
const (
	wrongSecretKey = "sk_live_WRONGwrongWRONG9876543210"
	// claimMarker sits in a claim no message has reason to quote.
	claimMarker = "jti_CLAIMmarkerCLAIM42"
)

// secretWatch gathers everything the library showed (error strings, fmt
// dumps, log records, panic values) and the secrets none of it may hold.
type secretWatch struct {
	t       *testing.T
	secrets map[string]string // text → what it is
	shown   []string          // "where: text"
	logs    *lockedBuffer
}

func newSecretWatch(t *testing.T) *secretWatch {
	return &secretWatch{t: t, secrets: map[string]string{
		testSecretKey:  "the secret key",
		wrongSecretKey: "the wrong secret key",
		claimMarker:    "a claim's value",
	}, logs: &lockedBuffer{}}
}

// token registers a token: the whole of it, its signature and its claims
// segment are secret (the header alone is public knowledge).
func (w *secretWatch) token(name, token string) string {
	w.secrets[token] = name
	parts := strings.Split(token, ".")
	if len(parts) == 3 {
		w.secrets[parts[1]] = name + " (claims)"
		w.secrets[parts[2]] = name + " (signature)"
	}
	return token
}

// show records every rendering of vs: %v, %+v, %#v, %s, and Error() for
// errors along the whole wrap chain.
func (w *secretWatch) show(where string, vs ...any) {
	for _, v := range vs {
		w.shown = append(w.shown,
			where+" %v: "+fmt.Sprintf("%v", v),
			where+" %+v: "+fmt.Sprintf("%+v", v),
			where+" %#v: "+fmt.Sprintf("%#v", v),
			where+" %s: "+fmt.Sprintf("%s", v))
		if err, ok := v.(error); ok && err != nil {
			for e := range errorTree(err) {
				w.shown = append(w.shown, where+" chain: "+e.Error(), where+" chain %#v: "+fmt.Sprintf("%#v", e))
			}
		}
	}
}

// errorTree yields err and everything it wraps.
func errorTree(err error) func(func(error) bool) {
	return func(yield func(error) bool) {
		var walk func(error) bool
		walk = func(e error) bool {
			if e == nil {
				return true
			}
			if !yield(e) {
				return false
			}
			// The chain is walked one link at a time on purpose, so a
			// type switch, not errors.As.
			if u, ok := e.(interface{ Unwrap() error }); ok { //nolint:errorlint // see above
				return walk(u.Unwrap())
			}
			if u, ok := e.(interface{ Unwrap() []error }); ok { //nolint:errorlint // see above
				for _, inner := range u.Unwrap() {
					if !walk(inner) {
						return false
					}
				}
			}
			return true
		}
		walk(err)
	}
}

// panicValue runs f and shows what it panicked with; it must panic.
func (w *secretWatch) panicValue(where string, f func()) {
	w.t.Helper()
	defer func() {
		v := recover()
		if v == nil {
			w.t.Errorf("%s: no panic", where)
		}
		w.show(where+" panic", v)
	}()
	f()
}

func (w *secretWatch) check() {
	w.t.Helper()
	all := w.shown
	for line := range strings.Lines(w.logs.String()) {
		all = append(all, "log: "+line)
	}
	for _, text := range all {
		for secret, what := range w.secrets {
			if strings.Contains(text, secret) {
				where, _, _ := strings.Cut(text, ":")
				w.t.Errorf("%s shows %s: %.300s", where, what, text)
			}
		}
	}
}

// loggers are the handlers a service may log with, at debug level.
func secretLoggers(w io.Writer) map[string]*slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return map[string]*slog.Logger{
		"json": slog.New(slog.NewJSONHandler(w, opts)),
		"text": slog.New(slog.NewTextHandler(w, opts)),
	}
}

// TestSecretsNeverShown runs every error path of getToken, configuration
// and authentication with a recognisable secret key and session token,
// and checks that neither shows up in any error, dump, log record or
// panic.
func TestSecretsNeverShown(t *testing.T) {
	for name, logger := range secretLoggers(io.Discard) {
		t.Run(name, func(t *testing.T) {
			w := newSecretWatch(t)
			handler := secretLoggers(w.logs)[name].Handler()
			logger = slog.New(handler)
			secretGetTokenPaths(t, w, logger)
			secretConfigPaths(t, w)
			secretAuthPaths(t, w, logger)
			w.check()
			if !strings.Contains(w.logs.String(), "retrying") || !strings.Contains(w.logs.String(), "session token refused") {
				t.Fatalf("the debug logs did not run:\n%s", w.logs.String())
			}
		})
	}
}

// secretAPI is a Backend API whose answer depends on the session ID, so
// one client reaches every error class.
func secretAPI(t *testing.T, sessionToken string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testSecretKey {
			statusReply(401, clerkErrorBody("authentication_invalid", "The provided Clerk Secret Key is invalid.", "tr_401"))(w, r)
			return
		}
		parts := strings.Split(r.URL.Path, "/") // /v1/sessions/{id}/tokens[/{template}]
		if len(parts) < 4 {
			http.NotFound(w, r)
			return
		}
		switch id := parts[3]; id {
		case "sess_ok":
			tokenReply(sessionToken)(w, r)
		case "sess_400", "sess_403", "sess_404", "sess_422", "sess_429", "sess_500", "sess_503":
			status := 0
			_, _ = fmt.Sscanf(id, "sess_%d", &status)
			statusReply(status, clerkErrorBody("code_"+id, "message for "+id, "tr_"+id), "Retry-After", "0")(w, r)
		case "sess_reset":
			resetReply(w, r)
		case "sess_html":
			htmlReply(200)(w, r)
		case "sess_nojwt":
			jsonReply(`{"object":"token"}`)(w, r)
		case "sess_big":
			jsonReply(`{"jwt":"`+strings.Repeat("a", 4096)+`"}`)(w, r)
		case "sess_cut":
			truncatedReply(200, `{"object":"token","jwt":"`+sessionToken+`"}`, 40, true)(w, r)
		case "sess_hang":
			hangReply(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func secretGetTokenPaths(t *testing.T, w *secretWatch, logger *slog.Logger) {
	clock := newFakeClock()
	minted := w.token("the minted session token", mint(t, rsaKey(t, 0), sessionHeader(testKID),
		withClaim(sessionClaimsAt(clock.Now()), "jti", claimMarker)))
	api := secretAPI(t, minted)
	newClient := func(key string) *clerk.Client {
		c, err := clerk.NewClient(key, clerk.WithAPIURL(api.URL), clerk.WithLogger(logger), clerk.WithMaxResponseBytes(1024),
			clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	client, wrong := newClient(testSecretKey), newClient(wrongSecretKey)
	w.show("client", client, *client)
	logger.Info("service log", "client", client)

	tok, err := client.GetToken(context.Background(), "sess_ok", "")
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	w.show("minted token", tok, *tok)
	logger.Info("service log", "token", tok, "token_value", *tok)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := []struct {
		client    *clerk.Client
		ctx       context.Context
		sessionID string
		template  string
		opts      []clerk.TokenOption
		want      error
	}{
		{wrong, context.Background(), "sess_ok", "", nil, clerk.ErrUnauthorized},
		{client, context.Background(), "sess_400", "tpl", nil, clerk.ErrBadRequest},
		{client, context.Background(), "sess_403", "", nil, clerk.ErrUnauthorized},
		{client, context.Background(), "sess_404", "tpl", nil, clerk.ErrNotFound},
		{client, context.Background(), "sess_422", "", nil, clerk.ErrBadRequest},
		{client, context.Background(), "sess_429", "", nil, clerk.ErrRateLimited},
		{client, context.Background(), "sess_500", "", nil, clerk.ErrServerError},
		{client, context.Background(), "sess_503", "", nil, clerk.ErrServerError},
		{client, context.Background(), "sess_reset", "", nil, io.EOF},
		{client, context.Background(), "sess_html", "", nil, clerk.ErrInvalidResponse},
		{client, context.Background(), "sess_nojwt", "", nil, clerk.ErrInvalidResponse},
		{client, context.Background(), "sess_big", "", nil, clerk.ErrResponseTooLarge},
		{client, context.Background(), "sess_cut", "", nil, io.ErrUnexpectedEOF},
		{client, ctx, "sess_ok", "", nil, context.Canceled},
		{client, nil, "sess_hang", "", nil, context.DeadlineExceeded},
		{client, context.Background(), "", "", nil, clerk.ErrInvalidInput},
		{client, context.Background(), "sess_ok", "", []clerk.TokenOption{clerk.WithExpiresInSeconds(1)}, clerk.ErrInvalidInput},
		// A token passed where a session ID or template belongs.
		{client, context.Background(), minted, "", nil, clerk.ErrInvalidInput},
		{client, context.Background(), "sess_ok", minted, nil, clerk.ErrInvalidInput},
	}
	for _, c := range calls {
		callCtx := c.ctx
		if callCtx == nil {
			timeout, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			t.Cleanup(cancel)
			callCtx = timeout
		}
		tok, err := c.client.GetToken(callCtx, c.sessionID, c.template, c.opts...)
		if !errors.Is(err, c.want) {
			t.Errorf("GetToken(%.20q, %.20q): %v, want %v", c.sessionID, c.template, err, c.want)
		}
		if tok != nil {
			t.Errorf("GetToken(%.20q): a token with an error", c.sessionID)
		}
		w.show("getToken error", err)
		logger.Error("service log", "err", err)
		// The answer the adapters' token handlers send, and their log.
		resp := client.TokenResponse(context.Background(), nil, err)
		w.show("token response", string(resp.Body), resp)
	}
	// getToken for a request whose token was refused.
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 1))), clerk.WithClock(clock.Now))
	refused := a.Authenticate(context.Background(), bearer(minted))
	_, err = client.GetTokenFor(context.Background(), refused, "")
	if !errors.Is(err, clerk.ErrUnauthenticated) {
		t.Errorf("GetTokenFor a refused token: %v", err)
	}
	resp := client.TokenResponse(context.Background(), nil, err)
	w.show("signed-out getToken", err, refused, string(resp.Body), resp)
}

func secretConfigPaths(t *testing.T, w *secretWatch) {
	t.Setenv(clerk.EnvAPIURL, "")
	t.Setenv(clerk.EnvAPIVersion, "")
	bad := []func() error{
		func() error { _, err := clerk.NewClient(testSecretKey + " "); return err },
		func() error { _, err := clerk.NewClient(" " + testSecretKey); return err },
		func() error { _, err := clerk.NewClient(`"` + testSecretKey + `"`); return err },
		func() error { _, err := clerk.NewClient(strings.TrimPrefix(testSecretKey, "sk_test_")); return err },
		func() error { _, err := clerk.NewClient("pk_test_" + testSecretKey); return err },
		func() error {
			_, err := clerk.NewClient(testSecretKey, clerk.WithAPIURL("https://user:"+testSecretKey+"@api.example.test"))
			return err
		},
		func() error {
			_, err := clerk.NewClient(testSecretKey, clerk.WithAPIURL("https://api.example.test/?key="+testSecretKey))
			return err
		},
		func() error {
			t.Setenv(clerk.EnvAPIVersion, testSecretKey)
			defer t.Setenv(clerk.EnvAPIVersion, "")
			_, err := clerk.NewClientFromEnv()
			return err
		},
		func() error {
			t.Setenv(clerk.EnvSecretKey, testSecretKey+"\n")
			_, err := clerk.NewClientFromEnv()
			return err
		},
		// A secret key pasted where public values belong.
		func() error { _, err := clerk.NewAuthenticator(clerk.WithJWTKey(testSecretKey)); return err },
		func() error { _, err := clerk.NewAuthenticator(clerk.WithPublishableKey(testSecretKey)); return err },
		func() error { _, err := clerk.NewAuthenticator(clerk.WithJWKSURL(testSecretKey)); return err },
		func() error {
			_, err := clerk.NewAuthenticator(clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))),
				clerk.WithAuthorizedParties(testSecretKey+" x"))
			return err
		},
		func() error {
			t.Setenv(clerk.EnvJWTKey, testSecretKey)
			_, err := clerk.NewAuthenticatorFromEnv(nil)
			t.Setenv(clerk.EnvJWTKey, "")
			return err
		},
		func() error {
			t.Setenv(clerk.EnvPublishableKey, testSecretKey)
			_, err := clerk.NewAuthenticatorFromEnv(nil)
			t.Setenv(clerk.EnvPublishableKey, "")
			return err
		},
	}
	for i, f := range bad {
		err := f()
		if !errors.Is(err, clerk.ErrInvalidConfig) {
			t.Errorf("configuration %d: %v, want ErrInvalidConfig", i, err)
		}
		w.show("config error", err)
	}
	w.panicValue("Middleware(nil)", func() { clerk.Middleware(nil) })
	w.panicValue("TokenHandler(nil, …)", func() { clerk.TokenHandler(nil, "test") })
}

func secretAuthPaths(t *testing.T, w *secretWatch, logger *slog.Logger) {
	key, other := rsaKey(t, 0), rsaKey(t, 1)
	clock := newFakeClock()
	now := clock.Now()
	with := func(edit func(h, c map[string]any)) string {
		h, c := sessionHeader(testKID), withClaim(sessionClaimsAt(now), "jti", claimMarker)
		edit(h, c)
		return mint(t, key, h, c)
	}
	valid := w.token("the session token", with(func(_, _ map[string]any) {}))
	parts := strings.Split(valid, ".")

	static := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, key)), clerk.WithPublishableKey(testPublishableKey),
		clerk.WithAuthorizedParties(testOrigin), clerk.WithClock(clock.Now), clerk.WithLogger(logger))

	// Key sets fetched with the secret key: one served, one down.
	jwks := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	down := newJWKSServer(t)
	down.down.Store(true)
	fetching := func(url string) *clerk.Authenticator {
		c, err := clerk.NewClient(testSecretKey, clerk.WithAPIURL(url), clerk.WithLogger(logger),
			clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.CloseIdleConnections)
		return newAuthenticator(t, clerk.WithClient(c), clerk.WithClock(clock.Now), clerk.WithLogger(logger))
	}
	served, failing := fetching(jwks.URL), fetching(down.URL)

	cases := []struct {
		a     *clerk.Authenticator
		token string
		want  clerk.Reason
	}{
		{static, "", clerk.ReasonSessionTokenMissing},
		{static, valid + strings.Repeat("A", clerk.DefaultMaxTokenBytes), clerk.ReasonTokenTooLarge},
		{static, valid + ".", clerk.ReasonTokenInvalid},
		{static, parts[0] + "." + parts[1] + "." + parts[2] + "!", clerk.ReasonTokenInvalid},
		{static, with(func(h, _ map[string]any) { h["cat"] = "cl_B7d4PD333AAA" }), clerk.ReasonTokenTypeMismatch},
		{static, signHS256(mustJSON(t, map[string]any{"alg": "HS256", "kid": testKID}), mustJSON(t, withClaim(sessionClaimsAt(now), "jti", claimMarker)), []byte("k")), clerk.ReasonTokenInvalidAlgorithm},
		{served, with(func(h, _ map[string]any) { h["kid"] = "ins_unknown" }), clerk.ReasonJWKKidMismatch},
		{failing, valid, clerk.ReasonJWKFailedToLoad},
		{static, mint(t, other, sessionHeader(testKID), withClaim(sessionClaimsAt(now), "jti", claimMarker)), clerk.ReasonTokenInvalidSignature},
		{static, with(func(_, c map[string]any) { c["exp"] = "tomorrow" }), clerk.ReasonTokenVerificationFailed},
		{static, with(func(_, c map[string]any) { delete(c, "sub") }), clerk.ReasonTokenVerificationFailed},
		{static, with(func(_, c map[string]any) { c["iss"] = "https://" + claimMarker + ".example" }), clerk.ReasonTokenInvalidIssuer},
		{static, with(func(_, c map[string]any) { c["azp"] = "https://" + claimMarker + ".example" }), clerk.ReasonTokenInvalidAuthorizedParties},
		{static, with(func(_, c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() }), clerk.ReasonTokenExpired},
		{static, with(func(_, c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), clerk.ReasonTokenNotActiveYet},
		{static, with(func(_, c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() }), clerk.ReasonTokenIatInTheFuture},
		{static, with(func(_, c map[string]any) { c["sts"] = "pending" }), clerk.ReasonSessionPending},
		{static, valid, ""},
		{served, valid, ""},
	}
	seen := map[clerk.Reason]bool{}
	for _, c := range cases {
		if c.token != "" && c.token != valid {
			w.token("a refused token", c.token)
		}
		// Through the net/http middleware, as a service would.
		var got *clerk.Auth
		h := clerk.Middleware(c.a)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			got, _ = clerk.AuthFromContext(r.Context())
		}))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		if got.Reason() != c.want {
			t.Errorf("reason %q, want %q (%v)", got.Reason(), c.want, got.Err())
		}
		seen[got.Reason()] = true
		_, err := c.a.VerifyToken(context.Background(), c.token)
		w.show("auth "+string(c.want), got, got.Err(), err)
		logger.Info("service log", "auth", got, "err", got.Err())
	}
	for r := range knownReasons {
		// Cookie rules and machine tokens are not reached through a
		// session token in the header; machine_test.go checks their
		// secrecy.
		if !seen[r] && !cookieOrMachineReason[r] {
			t.Errorf("no case for reason %q", r)
		}
	}
	w.show("authenticator", static, served)
	logger.Info("service log", "authenticator", static)
}

var cookieOrMachineReason = map[clerk.Reason]bool{
	clerk.ReasonSessionTokenWithoutClientUAT: true, clerk.ReasonClientUATWithoutSessionToken: true,
	clerk.ReasonSessionTokenIATBeforeClientUAT: true, clerk.ReasonDevBrowserMissing: true,
	clerk.ReasonTokenRevoked: true, clerk.ReasonUnexpectedError: true, clerk.ReasonVerificationThrottled: true,
}

func withClaim(c map[string]any, k string, v any) map[string]any {
	c[k] = v
	return c
}

// formatFlags are the flag, width and precision forms tried with every
// verb; "*" takes its width from an argument.
var formatFlags = []string{"", "+", "#", "-", " ", "0", "+#", "#-", "12", "-12", "012", ".3", "12.40", "+#12.3", "*"}

// redactionSubjects are a Token and an Auth, signed in and out, held by
// pointer and by value, alone and nested in exported fields, slices, maps,
// arrays and interfaces.
func redactionSubjects(t *testing.T, w *secretWatch) map[string]any {
	clock := newFakeClock()
	key := rsaKey(t, 0)
	jwt := w.token("the token", mint(t, key, sessionHeader(testKID), withClaim(sessionClaimsAt(clock.Now()), "jti", claimMarker)))
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, key)), clerk.WithClock(clock.Now))
	in := a.Authenticate(context.Background(), bearer(jwt))
	if !in.SignedIn() {
		t.Fatalf("not signed in: %v", in.Err())
	}
	out := a.Authenticate(context.Background(), bearer(jwt+"x"))
	tok := clerk.Token{JWT: jwt}
	type inner struct {
		Tok  clerk.Token
		Auth clerk.Auth
	}
	type outer struct {
		Name    string
		Tok     clerk.Token
		Ptr     *clerk.Token
		Auth    *clerk.Auth
		AuthVal clerk.Auth
		Any     any
		Inner   inner
		List    []clerk.Token
	}
	nested := outer{"n", tok, &tok, in, *in, tok, inner{tok, *in}, []clerk.Token{tok}}
	return map[string]any{
		"Token":              tok,
		"*Token":             &tok,
		"nil *Token":         (*clerk.Token)(nil),
		"*Auth":              in,
		"Auth":               *in,
		"signed-out *Auth":   out,
		"signed-out Auth":    *out,
		"nil *Auth":          (*clerk.Auth)(nil),
		"struct":             nested,
		"*struct":            &nested,
		"[]Token":            []clerk.Token{tok, {}},
		"[]*Token":           []*clerk.Token{&tok},
		"[1]Token":           [1]clerk.Token{tok},
		"[]any":              []any{tok, &tok, in, *in},
		"map[string]Token":   map[string]clerk.Token{"k": tok},
		"map[Token]int":      map[clerk.Token]int{tok: 1},
		"map[string]*Token":  map[string]*clerk.Token{"k": &tok},
		"map[string]Auth":    map[string]clerk.Auth{"k": *in},
		"map[string]*Auth":   map[string]*clerk.Auth{"k": in},
		"[]struct":           []outer{nested},
		"map[string]struct":  map[string]outer{"k": nested},
		"map[string][]Token": map[string][]clerk.Token{"k": {tok}},
	}
}

// TestRedactedForEveryVerb prints Tokens and Auths with every letter verb
// and flag combination, alone and nested, and checks that neither the JWT
// nor its claims or signature segment shows.
//
// Two wrong verbs are left out, because for them fmt prints the fields
// without calling any method, Format included, and no method can help: %w
// outside Errorf or on a non-error, and %p on a struct or array (it is
// tried where fmt prints an address: pointers, slices, maps). go vet's
// printf check reports both misuses.
func TestRedactedForEveryVerb(t *testing.T) {
	w := newSecretWatch(t)
	// extra takes one argument fewer than it is given, so fmt prints the
	// last as %!(EXTRA type=value); a variable, as vet rightly refuses it.
	extra := "%d"
	for name, v := range redactionSubjects(t, w) {
		kind := reflect.ValueOf(v).Kind()
		stringer, _ := v.(fmt.Stringer)
		if kind == reflect.Pointer && reflect.ValueOf(v).IsNil() {
			stringer = nil // fmt prints <nil>
		}
		for verb := 'A'; verb <= 'z'; verb++ {
			if verb > 'Z' && verb < 'a' || verb == 'w' || verb == 'p' && (kind == reflect.Struct || kind == reflect.Array) {
				continue
			}
			for _, flags := range formatFlags {
				format := "%" + flags + string(verb)
				var got string
				if flags == "*" {
					got = fmt.Sprintf(format, 40, v)
				} else {
					got = fmt.Sprintf(format, v)
				}
				w.shown = append(w.shown, name+" "+format+": "+got)
				// The redacted form is what is printed, not merely no JWT.
				if stringer != nil && flags == "" && verb != 'T' && verb != 'q' && verb != 'p' && got != stringer.String() {
					t.Errorf("%s %s = %q, want %q", name, format, got, stringer.String())
				}
			}
		}
		w.shown = append(w.shown,
			name+" Sprint: "+fmt.Sprint(v),
			name+" Sprintln: "+fmt.Sprintln(v, v),
			name+" extra argument: "+fmt.Sprintf(extra, 1, v), //nolint:staticcheck // the EXTRA path, on purpose
		)
	}
	w.check()
}

// TestTokenJSONRedacted logs Tokens nested in structs, slices and maps with
// slog's JSON and text handlers and marshals them with encoding/json: the
// JSON handler marshals nested values, where LogValue is not consulted.
func TestTokenJSONRedacted(t *testing.T) {
	w := newSecretWatch(t)
	subjects := redactionSubjects(t, w)
	delete(subjects, "map[Token]int") // not a JSON object key
	for _, logger := range secretLoggers(w.logs) {
		for name, v := range subjects {
			logger.Info("nested", "subject", name, "value", v, "group", []any{v})
		}
	}
	for name, v := range subjects {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%s): %v", name, err)
		}
		w.shown = append(w.shown, name+" json.Marshal: "+string(b))
	}
	w.check()

	tok := subjects["Token"].(clerk.Token)
	want, _ := json.Marshal(tok.String())
	if got, err := json.Marshal(tok); err != nil || string(got) != string(want) {
		t.Errorf("json.Marshal(Token) = %s, %v; want the String form %s", got, err, want)
	}
	// Decoding the shape older releases wrote still gives the JWT.
	var back clerk.Token
	if err := json.Unmarshal([]byte(`{"jwt":"`+tok.JWT+`"}`), &back); err != nil || back.JWT != tok.JWT {
		t.Errorf("json.Unmarshal {\"jwt\":…}: %v", err)
	}
}

// TestTokenResponseBody checks that the token answer still carries the
// JWT, byte for byte as Clerk's getToken examples, though a Token no longer
// marshals it: escaping included.
func TestTokenResponseBody(t *testing.T) {
	client, err := clerk.NewClient(testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, jwt := range []string{"eyJhbGciOiJSUzI1NiJ9.e30.c2ln", `a<b>&"\` + "\u2028"} {
		resp := client.TokenResponse(context.Background(), &clerk.Token{JWT: jwt}, nil)
		quoted, _ := json.Marshal(jwt)
		if want := `{"token":{"jwt":` + string(quoted) + `}}`; resp.Status != http.StatusOK || string(resp.Body) != want {
			t.Errorf("TokenResponse(%q) = %d %s, want 200 %s", jwt, resp.Status, resp.Body, want)
		}
	}
}
