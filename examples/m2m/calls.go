package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// calls is how many times the target is called: enough to show the token
// being reused.
const calls = 3

// maxAnswerBytes bounds how much of the target's answer is printed.
const maxAnswerBytes = 1 << 10

// callTarget calls target calls times through a token source of client
// and prints each call: the token's id, whether it was minted for the call
// or reused, the status and the answer. It returns the source's counters.
func callTarget(ctx context.Context, client *clerk.M2MClient, target string, stdout io.Writer) (clerk.M2MSourceStats, error) {
	source, err := client.TokenSource()
	if err != nil {
		return clerk.M2MSourceStats{}, err
	}
	hc := source.HTTPClient(&http.Client{Timeout: 10 * time.Second})
	defer hc.CloseIdleConnections()
	for i := 1; i <= calls; i++ {
		createsBefore := source.Stats().Creates
		status, answer, err := get(ctx, hc, target)
		if err != nil {
			return source.Stats(), fmt.Errorf("call %d: %w", i, err)
		}
		tok, err := source.Token(ctx) // the token just sent: a hit, no request
		if err != nil {
			return source.Stats(), fmt.Errorf("call %d: %w", i, err)
		}
		how := "reused"
		if source.Stats().Creates > createsBefore {
			how = "minted"
		}
		_, _ = fmt.Fprintf(stdout, "call %d: token %s (%s, expires in %s) -> %d %s\n",
			i, tok.ID, how, time.Until(tok.ExpiresAt).Round(time.Second), status, answer)
	}
	stats := source.Stats()
	_, _ = fmt.Fprintf(stdout, "%d calls, %d create call(s) to Clerk\n", calls, stats.Creates)
	return stats, nil
}

// get sends one GET and returns the status and the start of the answer.
// A refusal is an answer, not an error: it is printed like any other.
func get(ctx context.Context, hc *http.Client, target string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return resp.StatusCode, "", err
	}
	return resp.StatusCode, strings.TrimSpace(string(body)), nil
}
