package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// verdict is what verify prints for each token: the session as our Auth
// reads it, or the Reason it was refused for.
type verdict struct {
	OK bool `json:"ok"`
	// Signed in.
	UserID         string          `json:"user_id,omitempty"`
	SessionID      string          `json:"session_id,omitempty"`
	SessionStatus  string          `json:"session_status,omitempty"`
	OrgID          string          `json:"org_id,omitempty"`
	OrgRole        string          `json:"org_role,omitempty"`
	OrgSlug        string          `json:"org_slug,omitempty"`
	OrgPermissions []string        `json:"org_permissions,omitempty"`
	Claims         json.RawMessage `json:"claims,omitempty"`
	// Refused.
	Reason  clerk.Reason `json:"reason,omitempty"`
	Message string       `json:"message,omitempty"`
}

// verify reads tokens from stdin, one per line, and prints one verdict per
// line, so a test can check a whole table with one process. The key comes
// from CLERK_JWT_KEY; without it, from the Backend API's JWKS with
// CLERK_SECRET_KEY and CLERK_API_URL. CLERK_PUBLISHABLE_KEY and
// CLERK_AUTHORIZED_PARTIES apply as in any service.
func verify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 20*time.Second, "bound on each verification")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var client *clerk.Client
	if os.Getenv(clerk.EnvJWTKey) == "" {
		c, err := clerk.NewClientFromEnv(clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			fmt.Fprintln(stderr, "gocli verify:", err)
			return 2
		}
		defer c.CloseIdleConnections()
		client = c
	}
	auth, err := clerk.NewAuthenticatorFromEnv(client)
	if err != nil {
		fmt.Fprintln(stderr, "gocli verify:", err)
		return 2
	}

	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		a, err := auth.VerifyToken(ctx, sc.Text())
		cancel()
		var v verdict
		var authErr *clerk.AuthError
		switch {
		case err == nil:
			v = verdict{
				OK:             true,
				UserID:         a.UserID(),
				SessionID:      a.SessionID(),
				SessionStatus:  string(a.SessionStatus()),
				OrgID:          a.OrgID(),
				OrgRole:        a.OrgRole(),
				OrgSlug:        a.OrgSlug(),
				OrgPermissions: a.OrgPermissions(),
				Claims:         a.RawClaims(),
			}
		case errors.As(err, &authErr):
			v = verdict{Reason: authErr.Reason, Message: err.Error()}
		default:
			v = verdict{Message: err.Error()}
		}
		if code := emit(stdout, stderr, v); code != 0 {
			return code
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(stderr, "gocli verify:", err)
		return 1
	}
	return 0
}
