package clerk_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// The fault matrix drives GetToken and the Backend API key fetch through
// every fault a Backend API, a proxy or the network in between can produce,
// and states for each what the caller gets: success after retries, or a
// typed error before its deadline.
//
// Every row runs against a clerktest emulator. The emulator's own fault
// injection (FailNext, RateLimitNext, RotateKey) covers status codes and key
// rotation; faults below HTTP (resets, silence, slow or cut bodies) and
// documents the emulator would never serve (a JWKS without RSA keys) come
// from a front server scripted per row, which forwards everything else to
// the emulator.

// Retry policy of the matrix: the default budget of four attempts with
// backoffs short enough to keep the suite fast.
var matrixRetry = clerk.RetryPolicy{
	MaxAttempts:   4,
	MinBackoff:    time.Millisecond,
	MaxBackoff:    10 * time.Millisecond,
	MaxRetryAfter: 3 * time.Second,
}

const (
	matrixAttempts = 4
	// burstWithin fails fewer requests than the budget; burstBeyond more.
	burstWithin = matrixAttempts - 1
	burstBeyond = matrixAttempts + 2
	// defaultDeadline is the caller's deadline unless a row sets its own;
	// rows that hang use shortDeadline, which still leaves a loaded machine
	// ample time to deliver the one request those rows expect.
	defaultDeadline = 5 * time.Second
	shortDeadline   = time.Second
	// deadlineSlack is how late past its deadline a caller may get its
	// error. It only catches a call that outlives its deadline by far (one
	// that waits for the client's 15 s timeout or the key fetch's 30 s): on
	// a loaded machine under the race detector, the return itself can lag
	// by hundreds of milliseconds.
	deadlineSlack = 2 * time.Second
)

// faultFront is the scripted front: a request takes the next reply queued
// for its endpoint, or is forwarded to the emulator.
type faultFront struct {
	*httptest.Server
	emu       *clerktest.Server
	transport *http.Transport
	stop      chan struct{} // releases replies that hang

	mu     sync.Mutex
	script map[string][]reply
	hits   map[string]int
}

func newFaultFront(t *testing.T, emu *clerktest.Server) *faultFront {
	t.Helper()
	target, err := url.Parse(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := &faultFront{
		emu:       emu,
		transport: &http.Transport{},
		stop:      make(chan struct{}),
		script:    map[string][]reply{},
		hits:      map[string]int{},
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = f.transport
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		endpoint := endpointOf(r.URL.Path)
		f.mu.Lock()
		f.hits[endpoint]++
		var next reply
		if q := f.script[endpoint]; len(q) > 0 {
			next, f.script[endpoint] = q[0], q[1:]
		}
		f.mu.Unlock()
		if next != nil {
			next(w, r.WithContext(f.stopping(r.Context())))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		close(f.stop)
		f.Close()
		f.transport.CloseIdleConnections()
	})
	return f
}

// stopping ends ctx when the front shuts down, so replies that wait for
// the client to leave never hold up Close.
func (f *faultFront) stopping(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-f.stop:
		case <-ctx.Done():
		}
	}()
	return ctx
}

// queue scripts the next n requests to endpoint.
func (f *faultFront) queue(endpoint string, n int, r reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.script[endpoint] = append(f.script[endpoint], r)
	}
}

func (f *faultFront) requests(endpoint string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[endpoint]
}

func endpointOf(path string) string {
	switch {
	case path == "/v1/jwks":
		return clerktest.EndpointJWKS
	case strings.HasPrefix(path, "/v1/sessions/"):
		return clerktest.EndpointTokens
	}
	return clerktest.EndpointUnknown
}

// hangReply reads the request and never answers: a server that accepted
// the connection and went silent.
func hangReply(_ http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
}

// slowReply answers 200 with body, in pieces of chunk bytes one every gap,
// as an overloaded proxy or a congested link would.
func slowReply(body string, chunk int, gap time.Duration) reply {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		for i := 0; i < len(body); i += chunk {
			if _, err := io.WriteString(w, body[i:min(i+chunk, len(body))]); err != nil {
				return
			}
			_ = rc.Flush()
			select {
			case <-time.After(gap):
			case <-r.Context().Done():
				return
			}
		}
	}
}

// truncatedReply sends the first keep bytes of body and drops the
// connection. With declared, the Content-Length promises the whole body;
// without, the body is chunked and its last chunk never comes.
func truncatedReply(status int, body string, keep int, declared bool) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if declared {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body[:keep])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // closes the connection mid-body
	}
}

// jsonReply answers 200 with a JSON body.
func jsonReply(body string) reply {
	return statusReply(http.StatusOK, body, "Content-Type", "application/json")
}

// htmlReply is what a load balancer answers when Clerk is unreachable.
func htmlReply(status int) reply {
	return statusReply(status, "<html><body><h1>"+strconv.Itoa(status)+" "+http.StatusText(status)+
		"</h1></body></html>", "Content-Type", "text/html")
}

// Fixture bodies.
const (
	tokenBody = `{"object":"token","jwt":"` + aJWT + `"}`
	// nonRSAJWKS holds only keys an RS256 verifier must not use: EC, OKP,
	// a symmetric key, and an RSA key published for encryption.
	nonRSAJWKS = `{"keys":[` +
		`{"kty":"EC","crv":"P-256","kid":"ins_ec","use":"sig","alg":"ES256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},` +
		`{"kty":"OKP","crv":"Ed25519","kid":"ins_ed","use":"sig","alg":"EdDSA","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},` +
		`{"kty":"oct","kid":"ins_oct","use":"sig","alg":"HS256","k":"c2VjcmV0"},` +
		`{"kty":"RSA","kid":"ins_enc","use":"enc","alg":"RSA-OAEP","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}` +
		`]}`
)

// matrixEnv is one row's world: an emulator with a user and a session,
// the scripted front, and a client that talks to the front.
type matrixEnv struct {
	t       *testing.T
	emu     *clerktest.Server
	front   *faultFront
	client  *clerk.Client
	session string
	// clock is the emulator's and the Authenticator's: rows step it past
	// the unknown-kid gap instead of sleeping through it.
	clock *fakeClock
	// auth is the key-fetch rows' Authenticator, built before inject runs.
	auth *clerk.Authenticator
}

// matrixKID is the kid of the emulator's first key, matrixKey.
const matrixKID = "ins_matrix"

// sessionToken mints a session token with the emulator's current key, or
// with opts' key.
func (e *matrixEnv) sessionToken(opts ...clerktest.TokenOption) string {
	e.t.Helper()
	token, err := e.emu.SessionToken(e.session, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return token
}

// oldKeyToken is a fresh token signed by the first key, whatever the
// emulator signs with now.
func oldKeyToken(e *matrixEnv) string {
	return e.sessionToken(clerktest.TokenSignedBy(matrixKey, matrixKID))
}

// mustAuthenticate authenticates token and fails unless the Auth has the
// reason ("" for signed in).
func (e *matrixEnv) mustAuthenticate(token string, reason clerk.Reason) {
	e.t.Helper()
	if got := e.auth.Authenticate(context.Background(), bearer(token)); got.Reason() != reason {
		e.t.Fatalf("reason %q, want %q (%v)", got.Reason(), reason, got.Err())
	}
}

// Matrix emulators share one RSA key: generating one per row costs more
// than the rest of the row.
var (
	matrixKeyOnce sync.Once
	matrixKey     *rsa.PrivateKey
)

func newMatrixEnv(t *testing.T, opts ...clerk.ClientOption) *matrixEnv {
	t.Helper()
	matrixKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		matrixKey = k
	})
	// The clock stands still unless a row advances it, so tokens the
	// emulator stamps with it are never too new or too old for the
	// Authenticator, however slowly the row runs.
	clock := &fakeClock{t: time.Now()}
	emu := clerktest.Start(t, clerktest.WithKey(matrixKey), clerktest.WithKeyID(matrixKID), clerktest.WithClock(clock.Now))
	if _, err := emu.AddUser(clerktest.User{ID: "user_matrix"}); err != nil {
		t.Fatal(err)
	}
	sess := emu.CreateSession("user_matrix")
	front := newFaultFront(t, emu)
	base := []clerk.ClientOption{clerk.WithAPIURL(front.URL), clerk.WithRetry(matrixRetry)}
	client, err := clerk.NewClient(emu.SecretKey(), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	return &matrixEnv{t: t, emu: emu, front: front, client: client, session: sess.ID, clock: clock}
}

// outcome is what a row promises the caller.
type outcome struct {
	ok       bool    // success (a token; a signed-in Auth)
	errIs    []error // otherwise: the error matches each of these
	status   int     // and is an *APIError with this status (0: not checked)
	noAPIErr bool    // or is not an *APIError at all (a transport failure)
	reason   clerk.Reason
	attempts int           // requests that reached the endpoint; 0: not checked, noRequest: none
	atLeast  time.Duration // the call took at least this long (honoured Retry-After)
}

// noRequest is outcome.attempts for "no request reached the endpoint".
const noRequest = -1

// faultRow is one line of a matrix.
type faultRow struct {
	name     string
	inject   func(e *matrixEnv)
	deadline time.Duration        // the caller's; defaultDeadline when 0
	opts     []clerk.ClientOption // extra client options
	want     outcome

	// Key-fetch rows only.
	keyWant  *outcome                    // replaces want where the key fetch differs
	prime    bool                        // load the key set before inject runs
	authOpts []clerk.AuthenticatorOption // extra Authenticator options
	token    func(e *matrixEnv) string
}

// httpDate is a Retry-After in the HTTP-date form, d from now (whole
// seconds, so the wait is between d-1s and d).
func httpDate(d time.Duration) string {
	return time.Now().Add(d).UTC().Format(http.TimeFormat)
}

// burstRows are the status bursts, rate limits and network faults, shared
// by both matrices: ep is the endpoint under test, okAttempts the requests
// a burst within budget takes.
func burstRows(ep string, okAttempts int) []faultRow {
	var rows []faultRow
	for _, status := range []int{500, 502, 503, 504} {
		rows = append(rows,
			faultRow{
				name:   strconv.Itoa(status) + " burst within budget",
				inject: func(e *matrixEnv) { e.emu.FailNext(burstWithin, status, ep) },
				want:   outcome{ok: true, attempts: okAttempts},
			},
			faultRow{
				name:   strconv.Itoa(status) + " burst beyond budget",
				inject: func(e *matrixEnv) { e.emu.FailNext(burstBeyond, status, ep) },
				want:   outcome{errIs: []error{clerk.ErrServerError}, status: status, attempts: matrixAttempts},
			},
		)
	}
	return append(rows,
		faultRow{
			name:   "502 HTML page from a proxy, within budget",
			inject: func(e *matrixEnv) { e.front.queue(ep, burstWithin, htmlReply(502)) },
			want:   outcome{ok: true, attempts: okAttempts},
		},
		faultRow{
			name:   "502 HTML page from a proxy, beyond budget",
			inject: func(e *matrixEnv) { e.front.queue(ep, burstBeyond, htmlReply(502)) },
			want:   outcome{errIs: []error{clerk.ErrServerError}, status: 502, attempts: matrixAttempts},
		},
		faultRow{
			name:   "429 without Retry-After, within budget",
			inject: func(e *matrixEnv) { e.emu.RateLimitNext(burstWithin, "", ep) },
			want:   outcome{ok: true, attempts: okAttempts},
		},
		faultRow{
			name:   "429 without Retry-After, beyond budget",
			inject: func(e *matrixEnv) { e.emu.RateLimitNext(burstBeyond, "", ep) },
			want:   outcome{errIs: []error{clerk.ErrRateLimited}, status: 429, attempts: matrixAttempts},
		},
		faultRow{
			name:   "429 Retry-After 1 (seconds)",
			inject: func(e *matrixEnv) { e.emu.RateLimitNext(1, "1", ep) },
			want:   outcome{ok: true, attempts: 2, atLeast: time.Second},
		},
		faultRow{
			// The date is between 2 and 3 s after inject; the call starts
			// a moment later, so 1 s leaves that moment a full second.
			name:   "429 Retry-After HTTP-date 3s ahead",
			inject: func(e *matrixEnv) { e.emu.RateLimitNext(1, httpDate(3*time.Second), ep) },
			want:   outcome{ok: true, attempts: 2, atLeast: time.Second},
		},
		faultRow{
			name:   "429 Retry-After 60 beyond MaxRetryAfter: no wait",
			inject: func(e *matrixEnv) { e.emu.RateLimitNext(1, "60", ep) },
			want:   outcome{errIs: []error{clerk.ErrRateLimited}, status: 429, attempts: 1},
		},
		faultRow{
			// The deadline leaves the 429 two seconds to arrive.
			name:     "429 Retry-After 3 past the caller's deadline: no wait",
			inject:   func(e *matrixEnv) { e.emu.RateLimitNext(1, "3", ep) },
			deadline: 2 * time.Second,
			want:     outcome{errIs: []error{clerk.ErrRateLimited}, status: 429, attempts: 1},
			// The key fetch serves every waiting request, not this one, so
			// it runs on its own deadline and honours the Retry-After; the
			// caller stops waiting at its deadline.
			keyWant: &outcome{reason: clerk.ReasonJWKFailedToLoad, errIs: []error{context.DeadlineExceeded}, noAPIErr: true},
		},
		faultRow{
			name:   "connection reset, within budget",
			inject: func(e *matrixEnv) { e.front.queue(ep, burstWithin, resetReply) },
			want:   outcome{ok: true},
		},
		faultRow{
			name:   "connection reset, beyond budget",
			inject: func(e *matrixEnv) { e.front.queue(ep, 100, resetReply) },
			want:   outcome{noAPIErr: true},
		},
		faultRow{
			name:     "accepts and never answers",
			inject:   func(e *matrixEnv) { e.front.queue(ep, 100, hangReply) },
			deadline: shortDeadline,
			want:     outcome{errIs: []error{context.DeadlineExceeded}, noAPIErr: true, attempts: 1},
		},
		faultRow{
			name:   "accepts and never answers, client timeout, no caller deadline",
			inject: func(e *matrixEnv) { e.front.queue(ep, 100, hangReply) },
			// A negative deadline runs the call without one: only
			// WithTimeout bounds it.
			deadline: -shortDeadline,
			opts:     []clerk.ClientOption{clerk.WithTimeout(shortDeadline)},
			want:     outcome{errIs: []error{context.DeadlineExceeded}, noAPIErr: true, attempts: 1},
		},
	)
}

// bodyRows are the slow, cut and malformed bodies of a 200 answer to ep;
// good gives a valid body for it.
func bodyRows(ep string, good func(e *matrixEnv) string) []faultRow {
	return []faultRow{
		{
			name: "slow body within the deadline",
			// Ten pieces, so that the body takes a known few gaps however
			// long the key set is and however late each timer fires.
			inject: func(e *matrixEnv) {
				body := good(e)
				e.front.queue(ep, 1, slowReply(body, len(body)/10+1, 10*time.Millisecond))
			},
			want: outcome{ok: true, attempts: 1},
		},
		{
			name:     "slow body past the deadline",
			inject:   func(e *matrixEnv) { e.front.queue(ep, 100, slowReply(good(e), 1, 50*time.Millisecond)) },
			deadline: shortDeadline,
			want:     outcome{errIs: []error{context.DeadlineExceeded}, noAPIErr: true, attempts: 1},
		},
		{
			name: "body cut short of its Content-Length, once",
			inject: func(e *matrixEnv) {
				body := good(e)
				e.front.queue(ep, 1, truncatedReply(200, body, len(body)/2, true))
			},
			want: outcome{ok: true, attempts: 2},
		},
		{
			name: "body cut short of its Content-Length, every time",
			inject: func(e *matrixEnv) {
				body := good(e)
				e.front.queue(ep, 100, truncatedReply(200, body, len(body)/2, true))
			},
			want: outcome{errIs: []error{io.ErrUnexpectedEOF}, noAPIErr: true, attempts: matrixAttempts},
		},
		{
			name: "chunked body cut short, once",
			inject: func(e *matrixEnv) {
				body := good(e)
				e.front.queue(ep, 1, truncatedReply(200, body, len(body)/2, false))
			},
			want: outcome{ok: true, attempts: 2},
		},
		{
			name: "503 error body cut short, within budget",
			inject: func(e *matrixEnv) {
				e.front.queue(ep, burstWithin, truncatedReply(503, clerkErrorBody("unavailable", "down", "tr"), 10, true))
			},
			want: outcome{ok: true, attempts: matrixAttempts},
		},
	}
}

// TestFaultMatrixGetToken: GetToken against every fault.
func TestFaultMatrixGetToken(t *testing.T) {
	t.Cleanup(leakCheck(t))
	ep := clerktest.EndpointTokens
	rows := burstRows(ep, matrixAttempts)
	rows = append(rows, bodyRows(ep, func(*matrixEnv) string { return tokenBody })...)
	rows = append(rows,
		faultRow{
			name:   "200 with an HTML body",
			inject: func(e *matrixEnv) { e.front.queue(ep, 1, htmlReply(200)) },
			want:   outcome{errIs: []error{clerk.ErrInvalidResponse}, attempts: 1},
		},
		faultRow{
			name:   "200 with JSON but no JWT",
			inject: func(e *matrixEnv) { e.front.queue(ep, 1, jsonReply(`{"object":"token"}`)) },
			want:   outcome{errIs: []error{clerk.ErrInvalidResponse}, attempts: 1},
		},
		faultRow{
			name:   "200 with a JSON prefix of a token answer",
			inject: func(e *matrixEnv) { e.front.queue(ep, 1, jsonReply(tokenBody[:20])) },
			want:   outcome{errIs: []error{clerk.ErrInvalidResponse}, attempts: 1},
		},
		faultRow{
			name:   "200 body over the response limit",
			inject: func(e *matrixEnv) { e.front.queue(ep, 1, jsonReply(`{"jwt":"`+strings.Repeat("a", 4096)+`"}`)) },
			opts:   []clerk.ClientOption{clerk.WithMaxResponseBytes(1024)},
			want:   outcome{errIs: []error{clerk.ErrResponseTooLarge}, attempts: 1},
		},
	)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			e := newMatrixEnv(t, row.opts...)
			row.inject(e)
			ctx, cancel, deadline := callerContext(row.deadline)
			defer cancel()
			start := time.Now()
			tok, err := e.client.GetToken(ctx, e.session, "")
			elapsed := time.Since(start)
			t.Logf("after %v: %v", elapsed.Round(time.Millisecond), err)
			if row.want.ok {
				if err != nil {
					t.Fatalf("want a token, got %v", err)
				}
				if strings.Count(tok.JWT, ".") != 2 {
					t.Fatalf("token %q is not a JWT", tok.JWT)
				}
			} else {
				checkError(t, err, row.want)
			}
			checkTiming(t, elapsed, deadline, row.want)
			checkAttempts(t, e.front.requests(ep), row.want.attempts)
		})
	}
}

// TestFaultMatrixKeyFetch: authentication whose key set comes from the
// Backend API (WithClient), against every fault on GET /v1/jwks.
func TestFaultMatrixKeyFetch(t *testing.T) {
	t.Cleanup(leakCheck(t))
	ep := clerktest.EndpointJWKS
	failed := clerk.ReasonJWKFailedToLoad
	rows := burstRows(ep, matrixAttempts)
	rows = append(rows, bodyRows(ep, func(e *matrixEnv) string { return string(e.emu.JWKS()) })...)
	for i := range rows {
		if !rows[i].want.ok {
			rows[i].want.reason = failed
		}
	}
	rows = append(rows,
		faultRow{
			name:   "200 with an HTML body",
			inject: func(e *matrixEnv) { e.front.queue(ep, 1, htmlReply(200)) },
			want:   outcome{reason: failed, attempts: 1},
		},
		faultRow{
			name:   "JWKS with zero keys",
			inject: func(e *matrixEnv) { e.front.queue(ep, 1, jsonReply(`{"keys":[]}`)) },
			want:   outcome{reason: failed, attempts: 1},
		},
		faultRow{
			name:   "JWKS with only non-RSA keys",
			inject: func(e *matrixEnv) { e.front.queue(ep, 1, jsonReply(nonRSAJWKS)) },
			want:   outcome{reason: failed, attempts: 1},
		},
		faultRow{
			name:  "rotated key: unknown kid refetches the set",
			prime: true,
			inject: func(e *matrixEnv) {
				e.emu.RotateKey()
				e.clock.Advance(kidGap)
			},
			want: outcome{ok: true, attempts: 1},
		},
		faultRow{
			name:     "rotated key inside the unknown-kid gap: refused, no fetch",
			prime:    true,
			authOpts: []clerk.AuthenticatorOption{clerk.WithUnknownKIDRefetchInterval(time.Minute)},
			inject:   func(e *matrixEnv) { e.emu.RotateKey() },
			want:     outcome{reason: clerk.ReasonJWKKidMismatch, attempts: noRequest},
		},
		faultRow{
			name:   "rotated key: the previous key still verifies",
			prime:  true,
			inject: func(e *matrixEnv) { e.emu.RotateKey() },
			token:  oldKeyToken,
			want:   outcome{ok: true, attempts: noRequest},
		},
		faultRow{
			name:  "rotated key, previous key retired: its tokens refused",
			prime: true,
			inject: func(e *matrixEnv) {
				e.emu.RotateKey()
				if err := e.emu.RetireKey(matrixKID); err != nil {
					panic(err)
				}
				e.clock.Advance(kidGap)
				e.mustAuthenticate(e.sessionToken(), "")
			},
			token: oldKeyToken,
			want:  outcome{reason: clerk.ReasonJWKKidMismatch, attempts: noRequest},
		},
		faultRow{
			name:  "Backend API down after the keys loaded: last good keys kept",
			prime: true,
			inject: func(e *matrixEnv) {
				e.emu.FailNext(100, 503, ep)
				e.emu.RotateKey() // a token with the new kid forces a fetch, which fails
				e.clock.Advance(kidGap)
				e.mustAuthenticate(e.sessionToken(), clerk.ReasonJWKKidMismatch)
			},
			token: oldKeyToken,
			want:  outcome{ok: true, attempts: noRequest},
		},
		faultRow{
			name:  "zero-key JWKS after the keys loaded: last good keys kept",
			prime: true,
			inject: func(e *matrixEnv) {
				e.front.queue(ep, 100, jsonReply(`{"keys":[]}`))
				e.emu.RotateKey()
				e.clock.Advance(kidGap)
				e.mustAuthenticate(e.sessionToken(), clerk.ReasonJWKKidMismatch)
			},
			token: oldKeyToken,
			want:  outcome{ok: true, attempts: noRequest},
		},
	)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			e := newMatrixEnv(t, row.opts...)
			// Without the verified-token cache every token checks its key.
			opts := []clerk.AuthenticatorOption{clerk.WithClient(e.client), clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge),
				clerk.WithUnknownKIDRefetchInterval(kidGap), clerk.WithClock(e.clock.Now)}
			e.auth = newAuthenticator(t, append(opts, row.authOpts...)...)
			if row.prime {
				e.mustAuthenticate(e.sessionToken(), "")
			}
			row.inject(e)
			token := e.sessionToken()
			if row.token != nil {
				token = row.token(e)
			}
			if row.keyWant != nil {
				row.want = *row.keyWant
			}
			runKeyRow(t, e, token, row)
		})
	}
}

// kidGap is the matrix's unknown-kid refetch interval, the least allowed.
// Only the fake clock counts it, so no row waits for it and no slow row
// sees it pass by itself.
const kidGap = 100 * time.Millisecond

func runKeyRow(t *testing.T, e *matrixEnv, token string, row faultRow) {
	t.Helper()
	ep := clerktest.EndpointJWKS
	before := e.front.requests(ep)
	ctx, cancel, deadline := callerContext(row.deadline)
	defer cancel()
	start := time.Now()
	auth := e.auth.Authenticate(ctx, bearer(token))
	elapsed := time.Since(start)
	t.Logf("after %v: %s %v", elapsed.Round(time.Millisecond), auth.Reason(), auth.Err())
	if row.want.ok {
		if !auth.SignedIn() {
			t.Fatalf("want signed in, got %s: %v", auth.Reason(), auth.Err())
		}
	} else {
		if auth.SignedIn() {
			t.Fatal("signed in despite the fault")
		}
		if auth.Reason() != row.want.reason {
			t.Fatalf("reason %q, want %q (%v)", auth.Reason(), row.want.reason, auth.Err())
		}
		checkError(t, auth.Err(), row.want)
	}
	checkTiming(t, elapsed, deadline, row.want)
	checkAttempts(t, e.front.requests(ep)-before, row.want.attempts)
}

// callerContext returns the caller's context for a row's deadline: 0 is
// defaultDeadline, negative is no deadline at all.
func callerContext(d time.Duration) (context.Context, context.CancelFunc, time.Duration) {
	if d == 0 {
		d = defaultDeadline
	}
	if d < 0 {
		ctx, cancel := context.WithCancel(context.Background())
		return ctx, cancel, -d
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	return ctx, cancel, d
}

func checkError(t *testing.T, err error, want outcome) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got none")
	}
	for _, target := range want.errIs {
		if !errors.Is(err, target) {
			t.Errorf("error %q does not match %v", err, target)
		}
	}
	var apiErr *clerk.APIError
	isAPI := errors.As(err, &apiErr)
	if want.status != 0 && (!isAPI || apiErr.StatusCode != want.status) {
		t.Errorf("error %q: want an *APIError with status %d", err, want.status)
	}
	if want.noAPIErr && isAPI {
		t.Errorf("error %q is an *APIError; want a transport failure", err)
	}
}

func checkAttempts(t *testing.T, got, want int) {
	t.Helper()
	switch {
	case want == noRequest && got != 0:
		t.Errorf("%d requests reached the endpoint, want none", got)
	case want > 0 && got != want:
		t.Errorf("%d requests reached the endpoint, want %d", got, want)
	}
}

func checkTiming(t *testing.T, elapsed, deadline time.Duration, want outcome) {
	t.Helper()
	if elapsed > deadline+deadlineSlack {
		t.Errorf("took %v, past the caller's deadline of %v", elapsed, deadline)
	}
	if elapsed < want.atLeast {
		t.Errorf("took %v, want at least %v (Retry-After not honoured)", elapsed, want.atLeast)
	}
}

// leakCheck fails the test if goroutines it started outlive it by more
// than leakGrace. It ignores what ran before, so other tests' leftovers are
// not blamed here (TestMain checks the whole package).
func leakCheck(t *testing.T) func() {
	opt := goleak.IgnoreCurrent()
	return func() {
		// Find itself retries for about a second; a key fetch the caller
		// gave up on may run until the client's timeout.
		end := time.Now().Add(leakGrace)
		for {
			err := goleak.Find(opt)
			if err == nil {
				return
			}
			if time.Now().After(end) {
				t.Error(err)
				return
			}
		}
	}
}

// leakGrace bounds how long goroutines may outlive a matrix: a key fetch
// nobody waits for any more ends at the client's timeout.
const leakGrace = 3 * time.Second
