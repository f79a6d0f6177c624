package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// m2mResult is what m2m-create prints: the token as CreateM2MToken
// returned it, or the error as the typed values a Go caller would see.
// The bearer value is printed because the interop tests hand it to
// Clerk's SDK to verify; they run against a local emulator only.
type m2mResult struct {
	OK         bool           `json:"ok"`
	ID         string         `json:"id,omitempty"`
	Token      string         `json:"token,omitempty"`
	Subject    string         `json:"subject,omitempty"`
	Scopes     []string       `json:"scopes,omitempty"`
	Claims     map[string]any `json:"claims,omitempty"`
	Expiration int64          `json:"expiration,omitempty"` // ms since the epoch, as Clerk's SDK reports it
	CreatedAt  int64          `json:"created_at,omitempty"`
	Revoked    bool           `json:"revoked"`
	Expired    bool           `json:"expired"`
	Error      *errorFacts    `json:"error,omitempty"`
}

// m2mCreate runs M2MClient.CreateM2MToken with the machine secret key and
// API URL from the environment (CLERK_MACHINE_SECRET_KEY, CLERK_API_URL),
// one attempt as Clerk's SDKs make.
func m2mCreate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("m2m-create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "token_format: opaque or jwt (empty: not given, the default)")
	lifetime := fs.Int("lifetime", 0, "seconds_until_expiration (0: not given)")
	claims := fs.String("claims", "", "custom claims as a JSON object (empty: not given)")
	minRemaining := fs.Int("min-remaining", -1, "min_remaining_ttl_seconds (-1: not given)")
	timeout := fs.Duration("timeout", 20*time.Second, "bound on the whole call")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var opts []clerk.M2MTokenOption
	if *format != "" {
		opts = append(opts, clerk.WithM2MTokenFormat(clerk.M2MTokenFormat(*format)))
	}
	if *lifetime != 0 {
		opts = append(opts, clerk.WithM2MLifetime(time.Duration(*lifetime)*time.Second))
	}
	if *claims != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(*claims), &m); err != nil {
			fs.Usage()
			return 2
		}
		opts = append(opts, clerk.WithM2MClaims(m))
	}
	if *minRemaining >= 0 {
		opts = append(opts, clerk.WithM2MMinRemainingTTL(time.Duration(*minRemaining)*time.Second))
	}

	client, err := clerk.NewM2MClientFromEnv(clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		return emit(stdout, stderr, m2mResult{Error: describe(err)})
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	tok, err := client.CreateM2MToken(ctx, opts...)
	if err != nil {
		return emit(stdout, stderr, m2mResult{Error: describe(err)})
	}
	r := m2mResult{
		OK:         true,
		ID:         tok.ID,
		Token:      tok.Token(),
		Subject:    tok.Subject,
		Scopes:     tok.Scopes,
		Claims:     tok.Claims,
		Expiration: tok.ExpiresAt.UnixMilli(),
		Revoked:    tok.Revoked,
		Expired:    tok.Expired,
	}
	if !tok.CreatedAt.IsZero() {
		r.CreatedAt = tok.CreatedAt.UnixMilli()
	}
	return emit(stdout, stderr, r)
}
