package clerk

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/clerkkit/clerkkit/core/internal/strictjson"
)

// Lifetime bounds Clerk accepts for expires_in_seconds: 30 seconds to ten
// years.
const (
	MinTokenLifetimeSeconds = 30
	MaxTokenLifetimeSeconds = 315360000
)

// Token is a JWT minted by Clerk. Read JWT to send the token on.
//
// Every other way of showing a Token gives only the JWT's header, so a
// logged Token cannot be replayed: fmt with any verb and flags, slog, and
// encoding/json, which writes that redacted string, not {"jwt":"…"}. So a
// Token nested in a struct, slice or map is redacted by slog's JSON handler
// as by its text handler; the answer {"token":{"jwt":"…"}} is built from
// JWT by Client.TokenResponse, and any other JSON carrying the token must be
// built from JWT too. Decoding {"jwt":"…"} into a Token still works.
//
// fmt ignores every method in two cases, where it prints the JWT: a wrong
// verb that go vet reports (%w, or %p on a value), and an unexported field
// of your own struct, which fmt cannot call methods on. Do not print a
// struct that keeps a Token (or *Token) in an unexported field.
type Token struct {
	JWT string `json:"jwt"`
}

// String shows only the JWT's header. String, GoString, Format, LogValue
// and MarshalJSON have value receivers so that a Token held by value (a
// field of a response struct, say) is redacted too.
func (t Token) String() string {
	head, _, _ := strings.Cut(t.JWT, ".")
	return "clerk.Token{" + head + ".[redacted]}"
}

// GoString keeps %#v from printing the JWT.
func (t Token) GoString() string { return t.String() }

// Format prints the String form for every verb and flag: without it %d,
// %x, %q, %t or %+10s would print the struct, JWT included.
func (t Token) Format(f fmt.State, verb rune) { writeRedacted(f, verb, t.String()) }

// LogValue keeps slog from printing the JWT of a Token logged at top level.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// MarshalJSON writes the String form as a JSON string, never the JWT: slog's
// JSON handler marshals nested values with encoding/json, where LogValue is
// not consulted.
func (t Token) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// A TokenOption adjusts one GetToken call.
type TokenOption func(*tokenRequest)

type tokenRequest struct {
	expiresInSeconds int  // 0: not set, the template's lifetime applies
	bypassCache      bool // mint even if a fresh token is cached
}

// WithExpiresInSeconds asks for a token that expires n seconds from now
// instead of after the template's lifetime. Clerk accepts 30 to 315360000;
// anything else is refused before a request is sent.
func WithExpiresInSeconds(n int) TokenOption {
	return func(r *tokenRequest) { r.expiresInSeconds = n }
}

// GetToken mints a JWT for the session: from the named JWT template, or a
// plain session token when template is "". It is sessions.getToken of
// Clerk's SDKs, with input checks, typed errors and retries.
//
// Concurrent calls for the same session, template and lifetime share one
// Backend API request; a caller whose context ends stops waiting at once
// without failing the others. With WithTokenCache, a still-fresh token is
// returned without any request.
func (c *Client) GetToken(ctx context.Context, sessionID, template string, opts ...TokenOption) (*Token, error) {
	var req tokenRequest
	for _, opt := range opts {
		if opt != nil {
			opt(&req)
		}
	}
	target, err := tokenURL(c.baseURL, sessionID, template)
	if err != nil {
		return nil, err
	}
	var body []byte
	if req.expiresInSeconds != 0 {
		n := req.expiresInSeconds
		if n < MinTokenLifetimeSeconds || n > MaxTokenLifetimeSeconds {
			return nil, &InputError{Param: "expires_in_seconds", Reason: "must be between 30 and 315360000"}
		}
		body = strconv.AppendInt(append(make([]byte, 0, 40), `{"expires_in_seconds":`...), int64(n), 10)
		body = append(body, '}')
	}
	key := TokenKey{SessionID: sessionID, Template: template, ExpiresInSeconds: req.expiresInSeconds}
	if c.tokenCache != nil && !req.bypassCache {
		if tok, ok := c.tokenCache.Get(ctx, key); ok {
			c.reuse.hits.Add(1)
			c.observer.tokenCache(ctx, TokenCacheHit)
			return tok, nil
		}
		c.reuse.misses.Add(1)
		c.observer.tokenCache(ctx, TokenCacheMiss)
	}
	return c.shared(ctx, key, target, body, req.bypassCache)
}

// mint sends the token request and decodes the answer.
func (c *Client) mint(ctx context.Context, target string, body []byte, observe func(error)) (*Token, error) {
	respBody, err := c.callObserved(ctx, http.MethodPost, target, body, observe)
	if err != nil {
		return nil, err
	}
	jwt, err := decodeTokenAnswer(respBody)
	if err != nil {
		return nil, err
	}
	return &Token{JWT: jwt}, nil
}

// decodeTokenAnswer reads the JWT out of {"object":"token","jwt":"…"} with
// the strict scanner the verifier uses: one copy of the body, no map, and a
// duplicate "jwt" member is refused instead of resolved by whichever parser
// reads last.
func decodeTokenAnswer(body []byte) (string, error) {
	sc := strictjson.NewScanner(string(body))
	var jwt string
	err := sc.Object(1, func(name string) error {
		kind, raw, err := sc.Next(1)
		if err == nil && name == "jwt" && !strictjson.ReadString(kind, raw, &jwt) {
			err = strictjson.ErrSyntax
		}
		return err
	})
	switch {
	case err != nil || !sc.AtEnd():
		return "", fmt.Errorf("%w: token answer is not a JSON object", ErrInvalidResponse)
	case strings.Count(jwt, ".") != 2:
		return "", fmt.Errorf("%w: token answer holds no JWT", ErrInvalidResponse)
	}
	return jwt, nil
}

// tokenURL builds {base}/sessions/{id}/tokens[/{template}] from checked,
// escaped segments, in one allocation.
func tokenURL(base, sessionID, template string) (string, error) {
	sid, err := pathSegment("session ID", sessionID)
	if err != nil {
		return "", err
	}
	if template == "" {
		return base + "/sessions/" + sid + "/tokens", nil
	}
	tpl, err := pathSegment("template", template)
	if err != nil {
		return "", err
	}
	return base + "/sessions/" + sid + "/tokens/" + tpl, nil
}
