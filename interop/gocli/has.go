package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// check is one input line of has: a token (sent as "Bearer <token>") and
// the question, in the shape of has() in Clerk's SDKs.
type check struct {
	Token  string    `json:"token"`
	Params hasParams `json:"params"`
}

// hasParams are has()'s parameters. A dimension is asked when present,
// even empty, as in Clerk's SDKs; reverification is a preset name or
// {level, afterMinutes}.
type hasParams struct {
	Role           *string         `json:"role"`
	Permission     *string         `json:"permission"`
	Feature        *string         `json:"feature"`
	Plan           *string         `json:"plan"`
	Reverification json.RawMessage `json:"reverification"`
}

// answer is what has prints for each check.
type answer struct {
	Has      bool         `json:"has"`
	SignedIn bool         `json:"signedIn"`
	Reason   clerk.Reason `json:"reason"`
	// Invalid is the first requirement's Err: one that can never pass.
	Invalid string `json:"invalid"`
	// Status is Authorize's answer for the same requirements (0: allowed).
	Status int `json:"status"`
	// Hint is Authorize's 403 body when it is Clerk's reverification hint.
	Hint json.RawMessage `json:"hint,omitempty"`
}

// has reads one check per line of stdin and prints one answer per line:
// the token verified as a guard would (CLERK_JWT_KEY, and
// CLERK_PUBLISHABLE_KEY and CLERK_AUTHORIZED_PARTIES when set), then
// Auth.Has and Authorize with the requirements the params name, all of
// them ANDed.
func has(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("has", flag.ContinueOnError)
	fs.SetOutput(stderr)
	acceptsFlag := fs.String("accepts", "", "comma list of accepted token types; empty: session tokens")
	timeout := fs.Duration("timeout", 20*time.Second, "bound on each verification")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	accepts, err := tokenTypes(*acceptsFlag)
	if err != nil {
		fmt.Fprintln(stderr, "gocli has:", err)
		return 2
	}
	auth, err := jwtKeyAuthenticator()
	if err != nil {
		fmt.Fprintln(stderr, "gocli has:", err)
		return 2
	}

	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		c, reqs, err := parseCheck(sc.Bytes())
		if err != nil {
			// A line the command cannot read is a mistake in the test,
			// not a result to compare.
			fmt.Fprintf(stderr, "gocli has: line %d: %v\n", line, err)
			return 2
		}
		h := http.Header{}
		if c.Token != "" {
			h.Set("Authorization", "Bearer "+c.Token)
		}
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		a := auth.Authenticate(ctx, headerCarrier{r: &http.Request{Header: h}}, accepts...)
		cancel()
		if code := emit(stdout, stderr, answerFor(a, reqs)); code != 0 {
			return code
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(stderr, "gocli has:", err)
		return 1
	}
	return 0
}

// jwtKeyAuthenticator is a networkless Authenticator: has compares
// authorization, so the keys come from the PEM in CLERK_JWT_KEY only.
func jwtKeyAuthenticator() (*clerk.Authenticator, error) {
	key := os.Getenv(clerk.EnvJWTKey)
	if key == "" {
		return nil, errors.New(clerk.EnvJWTKey + " is not set")
	}
	opts := []clerk.AuthenticatorOption{clerk.WithJWTKey(key)}
	if pk := os.Getenv(clerk.EnvPublishableKey); pk != "" {
		opts = append(opts, clerk.WithPublishableKey(pk))
	}
	if parties := splitComma(os.Getenv(clerk.EnvAuthorizedParties)); len(parties) > 0 {
		opts = append(opts, clerk.WithAuthorizedParties(parties...))
	}
	return clerk.NewAuthenticator(opts...)
}

// parseCheck reads one line strictly: an unknown member is a typo in the
// test, which would otherwise ask nothing and pass for a "false".
func parseCheck(line []byte) (check, []clerk.Requirement, error) {
	var c check
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, nil, err
	}
	reqs, err := c.Params.requirements()
	return c, reqs, err
}

// requirements builds one Requirement per dimension asked.
func (p hasParams) requirements() ([]clerk.Requirement, error) {
	var reqs []clerk.Requirement
	if p.Role != nil {
		reqs = append(reqs, clerk.Role(*p.Role))
	}
	if p.Permission != nil {
		reqs = append(reqs, clerk.Permission(*p.Permission))
	}
	if p.Feature != nil {
		reqs = append(reqs, clerk.Feature(*p.Feature))
	}
	if p.Plan != nil {
		reqs = append(reqs, clerk.Plan(*p.Plan))
	}
	if len(p.Reverification) > 0 {
		r, err := reverification(p.Reverification)
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

// reverification reads a preset name or {level, afterMinutes}.
func reverification(raw json.RawMessage) (clerk.Requirement, error) {
	var preset string
	if err := json.Unmarshal(raw, &preset); err == nil {
		return clerk.Reverification(preset), nil
	}
	var custom struct {
		Level        *string `json:"level"`
		AfterMinutes *int    `json:"afterMinutes"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&custom); err != nil {
		return clerk.Requirement{}, fmt.Errorf("reverification: %w", err)
	}
	if custom.Level == nil || custom.AfterMinutes == nil {
		return clerk.Requirement{}, errors.New("reverification: want a preset or {level, afterMinutes}")
	}
	return clerk.ReverificationAfter(clerk.ReverificationLevel(*custom.Level), *custom.AfterMinutes), nil
}

func answerFor(a *clerk.Auth, reqs []clerk.Requirement) answer {
	v := answer{Has: a.Has(reqs...), SignedIn: a.SignedIn(), Reason: a.Reason()}
	if err := clerk.CheckRequirements(reqs...); err != nil {
		v.Invalid = err.Error()
	}
	if ok, status, body := clerk.Authorize(a, reqs...); !ok {
		v.Status = status
		if isReverificationHint(body) {
			v.Hint = json.RawMessage(body)
		}
	}
	return v
}

// isReverificationHint recognises the body Clerk's front end reads as a
// request to verify again, by the fields Clerk's own check looks at.
func isReverificationHint(body string) bool {
	var b struct {
		ClerkError *struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"clerk_error"`
	}
	if !strings.HasPrefix(body, "{") || json.Unmarshal([]byte(body), &b) != nil || b.ClerkError == nil {
		return false
	}
	return b.ClerkError.Type == "forbidden" && b.ClerkError.Reason == "reverification-error"
}
