package clerk_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

var knownReasons = map[clerk.Reason]bool{
	clerk.ReasonSessionTokenMissing: true, clerk.ReasonTokenTooLarge: true, clerk.ReasonTokenInvalid: true,
	clerk.ReasonTokenTypeMismatch: true, clerk.ReasonTokenInvalidAlgorithm: true, clerk.ReasonJWKKidMismatch: true,
	clerk.ReasonJWKFailedToLoad: true, clerk.ReasonTokenInvalidSignature: true, clerk.ReasonTokenVerificationFailed: true,
	clerk.ReasonTokenInvalidIssuer: true, clerk.ReasonTokenInvalidAuthorizedParties: true, clerk.ReasonTokenExpired: true,
	clerk.ReasonTokenNotActiveYet: true, clerk.ReasonTokenIatInTheFuture: true, clerk.ReasonSessionPending: true,
	clerk.ReasonSessionTokenWithoutClientUAT: true, clerk.ReasonClientUATWithoutSessionToken: true,
	clerk.ReasonSessionTokenIATBeforeClientUAT: true, clerk.ReasonDevBrowserMissing: true,
	clerk.ReasonTokenRevoked: true, clerk.ReasonUnexpectedError: true, clerk.ReasonVerificationThrottled: true,
}

// FuzzExtractToken feeds arbitrary headers and cookies to Authenticate: it
// must never panic, always answer with a known reason, and never show a
// token in a signed-out Auth.
func FuzzExtractToken(f *testing.F) {
	clock := newFakeClock()
	valid := validToken(f, clock.Now())
	suffixed := "__session_" + cookieSuffix(testPublishableKey)
	f.Add("Bearer "+valid, "", "")
	f.Add("", valid, "")
	f.Add("", "", valid)
	f.Add("Basic dXNlcjpwYXNz", valid, "")
	f.Add("Bearer", valid, valid)
	f.Add("Bearer  "+valid+" ", "", "")
	f.Add("bearer "+valid, "garbage", valid+"x")
	f.Add("Bearer a.b.c", "", "")
	f.Add("Bearer "+strings.Repeat("A", 9000), "", "")
	a := newAuthenticator(f, clerk.WithJWTKey(publicPEM(f, rsaKey(f, 0))), clerk.WithClock(clock.Now),
		clerk.WithPublishableKey(testPublishableKey))
	f.Fuzz(func(t *testing.T, authorization, cookie, suffixedCookie string) {
		src := fakeSource{headers: map[string]string{"Authorization": authorization},
			cookies: map[string]string{"__session": cookie, suffixed: suffixedCookie,
				"__client_uat": "1", "__clerk_db_jwt": "dvb_1"}}
		auth := a.Authenticate(context.Background(), src)
		if auth == nil {
			t.Fatal("nil Auth")
		}
		if auth.SignedIn() {
			if auth.Token() != valid {
				t.Fatalf("signed in with a token that is not the valid one")
			}
			return
		}
		if !knownReasons[auth.Reason()] {
			t.Fatalf("unknown reason %q", auth.Reason())
		}
		assertNoTokenLeak(t, src, auth)
	})
}

// FuzzVerifyToken mutates whole tokens. Only the one valid token may verify:
// strict decoding leaves no second spelling of it (padding, spare bits,
// ignored characters).
func FuzzVerifyToken(f *testing.F) {
	clock := newFakeClock()
	key := rsaKey(f, 0)
	valid := validToken(f, clock.Now())
	parts := strings.Split(valid, ".")
	f.Add(valid)
	f.Add(valid + "=")
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(b64([]byte(`{"alg":"none"}`)) + "." + parts[1] + "." + parts[2])
	f.Add(b64([]byte(`{"alg":"HS256","kid":"ins_test1"}`)) + "." + parts[1] + "." + parts[2])
	f.Add(signRaw(f, key, "RS256", `{"alg":"RS256","alg":"RS256"}`, `{}`))
	farFuture := signRaw(f, key, "RS256", `{"alg":"RS256"}`, `{"sub":"user_1","sid":"sess_1","exp":1e12}`)
	f.Add(farFuture)
	f.Add("..")
	f.Add("")
	a := newAuthenticator(f, clerk.WithJWTKey(publicPEM(f, key)), clerk.WithClock(clock.Now))
	f.Fuzz(func(t *testing.T, token string) {
		auth, err := a.VerifyToken(context.Background(), token)
		if err == nil {
			if (token != valid || auth.UserID() != "user_123") && token != farFuture {
				t.Fatalf("verified a token that is not the valid one: %q", token)
			}
			return
		}
		if auth != nil || !knownReasons[reasonOf(err)] {
			t.Fatalf("auth %v, err %v", auth, err)
		}
		if len(token) > 20 && strings.Contains(err.Error(), token) {
			t.Fatal("error shows the token")
		}
	})
}

// FuzzVerifySignedClaims signs arbitrary claims text with the right key, so
// the fuzzer reaches the claims parser past the signature. Whatever is
// accepted must be a single valid JSON object that encoding/json reads the
// same way.
func FuzzVerifySignedClaims(f *testing.F) {
	clock := newFakeClock()
	key := rsaKey(f, 0)
	f.Add(mustJSON(f, sessionClaimsAt(clock.Now())))
	f.Add(`{"sub":"user_1","sid":"sess_1","exp":1778587300,"sub":"user_2"}`)
	f.Add(`{"sub":"user_1","sid":"sess_1","exp":1778587300,"Sub":"user_2"}`)
	f.Add(`{"sub":"user_1","sid":"sess_1","exp":1778587300.5,"v":2,"o":{"id":"org_1","rol":"admin","per":"a,b","fpm":"3"},"fea":"o:x"}`)
	f.Add(`{"sub":"us\u0065r_1","sid":"sess_1","exp":1778587300,"act":{"sub":"user_9"},"fva":[1,-1]}`)
	f.Add(`{"sub":"user_1","sid":"sess_1","exp":1778587300} `)
	f.Add(`{"sub":"user_1","sid":"sess_1","exp":1778587300}{}`)
	f.Add(`{"sub":"user_1","sid":"sess_1","exp":17785873e2,"org_permissions":["a"]}`)
	header := mustJSON(f, sessionHeader(testKID))
	a := newAuthenticator(f, clerk.WithJWTKey(publicPEM(f, key)), clerk.WithClock(clock.Now),
		clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge))
	f.Fuzz(func(t *testing.T, claims string) {
		auth, err := a.VerifyToken(context.Background(), signRaw(t, key, "RS256", header, claims))
		if err != nil {
			if !knownReasons[reasonOf(err)] {
				t.Fatalf("unknown reason: %v", err)
			}
			return
		}
		if !json.Valid([]byte(claims)) {
			t.Fatalf("accepted claims that are not JSON: %q", claims)
		}
		var std struct {
			Sub string `json:"sub"`
			Sid string `json:"sid"`
		}
		if err := json.Unmarshal([]byte(claims), &std); err != nil {
			t.Fatalf("accepted claims encoding/json refuses: %v", err)
		}
		if std.Sub != auth.UserID() || std.Sid != auth.SessionID() {
			t.Fatalf("encoding/json reads sub/sid %q/%q, verifier %q/%q", std.Sub, std.Sid, auth.UserID(), auth.SessionID())
		}
	})
}

// FuzzVerifySignedHeader signs arbitrary header text: only RS256 headers
// that are proper JSON may pass.
func FuzzVerifySignedHeader(f *testing.F) {
	clock := newFakeClock()
	key := rsaKey(f, 0)
	f.Add(mustJSON(f, sessionHeader(testKID)))
	f.Add(`{"alg":"RS256","alg":"none"}`)
	f.Add(`{"alg":"RS256","typ":"at+jwt"}`)
	f.Add(`{"alg":"RS256","cat":"cl_B7d4PD222AAA"}`)
	f.Add(`{"alg":"RS256","crit":["b64"]}`)
	f.Add(`{"alg":"R\u0053256"}`)
	f.Add(`{"alg":"RS256"} x`)
	claims := mustJSON(f, sessionClaimsAt(clock.Now()))
	a := newAuthenticator(f, clerk.WithJWTKey(publicPEM(f, key)), clerk.WithClock(clock.Now),
		clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge))
	f.Fuzz(func(t *testing.T, header string) {
		_, err := a.VerifyToken(context.Background(), signRaw(t, key, "RS256", header, claims))
		if err != nil {
			if !knownReasons[reasonOf(err)] {
				t.Fatalf("unknown reason: %v", err)
			}
			return
		}
		var std map[string]any
		if json.Unmarshal([]byte(header), &std) != nil || std["alg"] != "RS256" {
			t.Fatalf("accepted header %q", header)
		}
		if typ, ok := std["typ"]; ok && typ != "JWT" {
			t.Fatalf("accepted typ %v", typ)
		}
	})
}
