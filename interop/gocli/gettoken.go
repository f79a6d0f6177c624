package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// tokenResult is what gettoken prints: the JWT, or the error as the typed
// values a Go caller would see.
type tokenResult struct {
	OK    bool        `json:"ok"`
	JWT   string      `json:"jwt,omitempty"`
	Error *errorFacts `json:"error,omitempty"`
}

type errorFacts struct {
	// Kind is "api" (*clerk.APIError), "input" (*clerk.InputError),
	// "config" (NewClient refused) or "other".
	Kind              string              `json:"kind"`
	Status            int                 `json:"status,omitempty"`
	Errors            []clerk.ErrorDetail `json:"errors,omitempty"`
	TraceID           string              `json:"trace_id,omitempty"`
	RetryAfterSeconds float64             `json:"retry_after_seconds,omitempty"`
	Param             string              `json:"param,omitempty"`
	// Matches lists the sentinel errors errors.Is reports true for.
	Matches []string `json:"matches"`
	Message string   `json:"message"`
}

func getToken(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gettoken", flag.ContinueOnError)
	fs.SetOutput(stderr)
	session := fs.String("session", "", "session ID")
	template := fs.String("template", "", "JWT template name (empty: a session token)")
	expiresIn := fs.Int("expires-in", 0, "expires_in_seconds (0: not sent)")
	retries := fs.Bool("retries", false, "keep the client's default retry policy (default: one attempt, as Clerk's SDKs)")
	timeout := fs.Duration("timeout", 20*time.Second, "bound on the whole call")
	if err := fs.Parse(args); err != nil {
		return 2
	}

	// The key and URL come from the environment, the way a service is
	// configured, and so never appear in a process listing.
	opts := []clerk.ClientOption{}
	if !*retries {
		opts = append(opts, clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
	}
	client, err := clerk.NewClientFromEnv(opts...)
	if err != nil {
		return emit(stdout, stderr, tokenResult{Error: describe(err)})
	}
	defer client.CloseIdleConnections()

	var tokOpts []clerk.TokenOption
	if *expiresIn != 0 {
		tokOpts = append(tokOpts, clerk.WithExpiresInSeconds(*expiresIn))
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	tok, err := client.GetToken(ctx, *session, *template, tokOpts...)
	if err != nil {
		return emit(stdout, stderr, tokenResult{Error: describe(err)})
	}
	return emit(stdout, stderr, tokenResult{OK: true, JWT: tok.JWT})
}

func describe(err error) *errorFacts {
	f := &errorFacts{Kind: "other", Message: err.Error(), Matches: []string{}}
	var apiErr *clerk.APIError
	var inputErr *clerk.InputError
	switch {
	case errors.As(err, &apiErr):
		f.Kind = "api"
		f.Status = apiErr.StatusCode
		f.Errors = apiErr.Errors
		f.TraceID = apiErr.TraceID
		f.RetryAfterSeconds = apiErr.RetryAfter.Seconds()
	case errors.As(err, &inputErr):
		f.Kind = "input"
		f.Param = inputErr.Param
	case errors.Is(err, clerk.ErrInvalidConfig):
		f.Kind = "config"
	}
	for _, s := range []struct {
		name string
		err  error
	}{
		{"invalid_config", clerk.ErrInvalidConfig},
		{"invalid_input", clerk.ErrInvalidInput},
		{"unauthorized", clerk.ErrUnauthorized},
		{"not_found", clerk.ErrNotFound},
		{"bad_request", clerk.ErrBadRequest},
		{"rate_limited", clerk.ErrRateLimited},
		{"server_error", clerk.ErrServerError},
	} {
		if errors.Is(err, s.err) {
			f.Matches = append(f.Matches, s.name)
		}
	}
	return f
}

func emit(stdout, stderr io.Writer, v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintln(stderr, "gocli:", err)
		return 1
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
		fmt.Fprintln(stderr, "gocli:", err)
		return 1
	}
	return 0
}
