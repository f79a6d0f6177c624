package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// The control channel (-control) lets a harness that started the process
// drive what the Go API offers but HTTP does not: queue a fault, or mint a
// token that is expired or not yet valid. It reads stdin rather than
// serving an extra HTTP route, so the emulated Backend API stays exactly
// Clerk's and only the process's owner can use it.
//
// One command per line; each gets one JSON line on stdout, {"ok":true,...}
// or {"ok":false,"error":"..."}, written before the next command is read,
// so a harness that waits for the answer knows the command took effect.
//
//	rate-limit-next N [RETRY-AFTER]   the next N token requests get 429
//	                                  too_many_requests (Retry-After verbatim)
//	fail-next N STATUS                the next N token requests get STATUS
//	clear-faults                      drop queued faults
//	session-token [MODE]              mint a session token for the demo session
//	template-token [MODE]             mint a "test" template token
//	machine-token KIND [MMODE]        mint a machine credential: KIND is
//	                                  m2m, m2m-jwt (for the seeded machine),
//	                                  api-key, oauth or oauth-jwt (for the
//	                                  demo user)
//
// MODE is "valid" (default), "expired" or "not-yet-valid"; MMODE is
// "valid" (default), "expired" or "revoked". End of input stops the
// process, as it means the harness is done or has died.
const controlUsage = "commands: rate-limit-next N [RETRY-AFTER] | fail-next N STATUS | clear-faults | session-token [valid|expired|not-yet-valid] | template-token [valid|expired|not-yet-valid] | machine-token m2m|m2m-jwt|api-key|oauth|oauth-jwt [valid|expired|revoked]"

// controlReply is the JSON line answering one command.
type controlReply struct {
	OK    bool   `json:"ok"`
	Token string `json:"token,omitempty"`
	Error string `json:"error,omitempty"`
}

// serveControl answers commands from in until it ends. Replies are written
// to out, which nothing else writes to once the startup line is out.
func serveControl(in io.Reader, out io.Writer, srv *clerktest.Server, f info) error {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		reply := control(srv, f, strings.Fields(line))
		b, err := json.Marshal(reply)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(out, "%s\n", b); err != nil {
			return err
		}
	}
	return sc.Err()
}

func control(srv *clerktest.Server, f info, args []string) controlReply {
	fail := func(format string, a ...any) controlReply {
		return controlReply{Error: fmt.Sprintf(format, a...)}
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "rate-limit-next", "fail-next":
		if len(args) < 1 || len(args) > 2 || (cmd == "fail-next" && len(args) != 2) {
			return fail("%s: wrong number of arguments; %s", cmd, controlUsage)
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			return fail("%s: N must be a positive integer", cmd)
		}
		if cmd == "rate-limit-next" {
			retryAfter := ""
			if len(args) == 2 {
				retryAfter = args[1]
			}
			srv.RateLimitNext(n, retryAfter, clerktest.EndpointTokens)
			return controlReply{OK: true}
		}
		status, err := strconv.Atoi(args[1])
		if err != nil || status < 400 || status > 599 {
			return fail("fail-next: STATUS must be an HTTP error status (400-599)")
		}
		srv.FailNext(n, status, clerktest.EndpointTokens)
		return controlReply{OK: true}
	case "clear-faults":
		if len(args) != 0 {
			return fail("clear-faults takes no arguments")
		}
		srv.ClearFaults()
		return controlReply{OK: true}
	case "session-token", "template-token":
		if len(args) > 1 {
			return fail("%s: wrong number of arguments; %s", cmd, controlUsage)
		}
		var opts []clerktest.TokenOption
		mode := "valid"
		if len(args) == 1 {
			mode = args[0]
		}
		switch mode {
		case "valid":
		case "expired":
			opts = append(opts, clerktest.TokenExpired())
		case "not-yet-valid":
			opts = append(opts, clerktest.TokenNotYetValid())
		default:
			return fail("%s: unknown mode %q (valid, expired, not-yet-valid)", cmd, mode)
		}
		var tok string
		var err error
		if cmd == "session-token" {
			tok, err = srv.SessionToken(f.SessionID, opts...)
		} else {
			tok, err = srv.TemplateToken(f.SessionID, f.Template, opts...)
		}
		if err != nil {
			return fail("%s: %v", cmd, err)
		}
		return controlReply{OK: true, Token: tok}
	case "machine-token":
		if len(args) < 1 || len(args) > 2 {
			return fail("machine-token: wrong number of arguments; %s", controlUsage)
		}
		mode := "valid"
		if len(args) == 2 {
			mode = args[1]
		}
		tok, err := machineToken(srv, f, args[0], mode)
		if err != nil {
			return fail("machine-token: %v", err)
		}
		return controlReply{OK: true, Token: tok}
	}
	return fail("unknown command %q; %s", cmd, controlUsage)
}
