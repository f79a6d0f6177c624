package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// caller is what authenticate prints for each request: who the Auth says
// the caller is, or the Reason it was refused for.
type caller struct {
	Authenticated bool `json:"authenticated"`
	// TokenType is the kind of token the request carried, also when
	// it was refused.
	TokenType clerk.TokenType `json:"tokenType"`
	Reason    clerk.Reason    `json:"reason,omitempty"`
	Subject   string          `json:"subject,omitempty"`
	ID        string          `json:"id,omitempty"`
	Scopes    []string        `json:"scopes,omitempty"`
	Name      string          `json:"name,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	// Message is the refusal as Err() describes it (never the token).
	Message string `json:"message,omitempty"`
}

// Prefixes of the input lines that give a header's exact value.
const (
	cookieLine        = "cookie:"
	authorizationLine = "authorization:"
)

// authenticate reads one request per line of stdin and prints one caller
// per line, so a test can check a whole table with one process. A line is
// a token (sent as "Bearer <token>"), an Authorization header value (it
// has a space), "authorization:<exact Authorization header>",
// "cookie:<Cookie header>" (no Authorization header), or empty (neither). The Client comes from CLERK_SECRET_KEY and
// CLERK_API_URL; CLERK_JWT_KEY, when set, gives the keys (otherwise the
// Backend API's key set); CLERK_PUBLISHABLE_KEY and
// CLERK_AUTHORIZED_PARTIES apply as in any service.
func authenticate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("authenticate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	acceptsFlag := fs.String("accepts", "", "comma list of accepted token types (session_token, m2m_token, api_key, oauth_token, any); empty: the default, session tokens")
	audience := fs.String("audience", "", "comma list of OAuth audiences to require (empty: aud not checked)")
	timeout := fs.Duration("timeout", 20*time.Second, "bound on each authentication")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	accepts, err := tokenTypes(*acceptsFlag)
	if err != nil {
		fmt.Fprintln(stderr, "gocli authenticate:", err)
		return 2
	}
	client, err := clerk.NewClientFromEnv(clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		fmt.Fprintln(stderr, "gocli authenticate:", err)
		return 2
	}
	defer client.CloseIdleConnections()
	auth, err := clerk.NewAuthenticator(authOptions(client, *audience)...)
	if err != nil {
		fmt.Fprintln(stderr, "gocli authenticate:", err)
		return 2
	}

	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		a := auth.Authenticate(ctx, carrierOf(sc.Text()), accepts...)
		cancel()
		if code := emit(stdout, stderr, describeCaller(a)); code != 0 {
			return code
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(stderr, "gocli authenticate:", err)
		return 1
	}
	return 0
}

// authOptions configures the Authenticator from the environment the way a
// service would, with NewAuthenticator's options.
func authOptions(client *clerk.Client, audience string) []clerk.AuthenticatorOption {
	opts := []clerk.AuthenticatorOption{clerk.WithClient(client)}
	if key := os.Getenv(clerk.EnvJWTKey); key != "" {
		opts = append(opts, clerk.WithJWTKey(key))
	}
	if pk := os.Getenv(clerk.EnvPublishableKey); pk != "" {
		opts = append(opts, clerk.WithPublishableKey(pk))
	}
	if parties := splitComma(os.Getenv(clerk.EnvAuthorizedParties)); len(parties) > 0 {
		opts = append(opts, clerk.WithAuthorizedParties(parties...))
	}
	if auds := splitComma(audience); len(auds) > 0 {
		opts = append(opts, clerk.WithOAuthAudience(auds...))
	}
	return opts
}

// tokenTypes reads the -accepts list. The names are passed on unchecked
// but for emptiness: an unknown one must fail closed in the Authenticator,
// which is part of what is being tested.
func tokenTypes(list string) ([]clerk.TokenType, error) {
	var out []clerk.TokenType
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			if list != "" {
				return nil, fmt.Errorf("-accepts %q: empty token type", list)
			}
			continue
		}
		out = append(out, clerk.TokenType(name))
	}
	return out, nil
}

func splitComma(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// carrierOf builds the request one input line stands for.
func carrierOf(line string) clerk.Carrier {
	h := http.Header{}
	switch {
	case strings.HasPrefix(line, cookieLine):
		h.Set("Cookie", strings.TrimPrefix(line, cookieLine))
	case strings.HasPrefix(line, authorizationLine):
		h.Set("Authorization", strings.TrimPrefix(line, authorizationLine))
	case strings.Contains(line, " "):
		h.Set("Authorization", line)
	case line != "":
		h.Set("Authorization", "Bearer "+line)
	}
	return headerCarrier{r: &http.Request{Header: h}}
}

// headerCarrier is a Carrier over a request that only has headers, read
// with net/http's own header and cookie parsing.
type headerCarrier struct{ r *http.Request }

func (c headerCarrier) Header(name string) string { return c.r.Header.Get(name) }

func (c headerCarrier) Cookie(name string) (string, bool) {
	cookie, err := c.r.Cookie(name)
	if err != nil {
		return "", false
	}
	return cookie.Value, true
}

func describeCaller(a *clerk.Auth) caller {
	c := caller{
		Authenticated: a.Authenticated(),
		TokenType:     a.TokenType(),
		Reason:        a.Reason(),
		Subject:       a.Subject(),
		ID:            a.TokenID(),
		Scopes:        a.Scopes(),
		Name:          a.Name(),
		SessionID:     a.SessionID(),
	}
	if err := a.Err(); err != nil {
		c.Message = err.Error()
	}
	return c
}
