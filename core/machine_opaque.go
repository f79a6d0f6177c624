package clerk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/flight"
)

// A MachineTokenStore shares the Backend API's answers about opaque machine
// tokens between the replicas of a service, so a token verified by one is
// reused by all (clerkredis implements one, encrypted). key is a digest of
// the token, never the token; value is Clerk's verify answer; the store
// must not return it after until. Implementations must be safe for
// concurrent use, and a failing store is a miss: it never fails a request.
type MachineTokenStore interface {
	Get(ctx context.Context, key string) (value []byte, ok bool)
	Set(ctx context.Context, key string, value []byte, until time.Time)
}

// Bounds on the Backend API calls opaque machine tokens can cause.
const (
	// verifyTimeout bounds one verify call: a request waits on it, so a
	// slow Clerk becomes a 503 the caller can retry rather than a hang.
	verifyTimeout = 5 * time.Second
	// unknownTokenMemory is how long a token Clerk did not know is
	// refused without asking again, and unknownTokenSlots how many such
	// tokens are remembered.
	unknownTokenMemory = time.Minute
	unknownTokenSlots  = 4096
	// verifyBurst and verifyPerSecond bound the verify calls for tokens
	// not seen before, whatever arrives: a flood of made-up "ak_…" strings
	// costs Clerk at most this much.
	verifyBurst     = 20
	verifyPerSecond = 10
)

// opaqueVerifier asks the Backend API about opaque machine tokens:
// concurrent requests with one token share one call, a verified token is
// reused for a short while (in the verification cache and, when given, a
// shared store), tokens Clerk did not know are remembered, and the calls
// that new tokens can cause are budgeted.
type opaqueVerifier struct {
	api         *requester // single attempt, short timeout
	base        string
	credentials *credentials
	reuse       time.Duration
	store       MachineTokenStore
	now         func() time.Time

	calls   flight.Group[string, *Auth]
	unknown refusals
	budget  tokenBucket
}

func newOpaqueVerifier(c *Client, reuse time.Duration, store MachineTokenStore, now func() time.Time) *opaqueVerifier {
	api := *c.api
	api.retry = RetryPolicy{MaxAttempts: 1}
	api.timeout = verifyTimeout
	return &opaqueVerifier{
		api: &api, base: c.baseURL, credentials: c.credentials,
		reuse: reuse, store: store, now: now,
		unknown: refusals{order: make([]string, unknownTokenSlots), until: make(map[string]int64)},
		budget:  tokenBucket{capacity: verifyBurst, perSecond: verifyPerSecond, tokens: verifyBurst},
	}
}

// verifyOpaque checks an opaque machine token of the given kind. The token
// is already a copy the Auth may keep.
func (a *Authenticator) verifyOpaque(ctx context.Context, token string, kind TokenType, now time.Time) (*Auth, *AuthError) {
	v := a.opaque
	if v == nil {
		return nil, authErr(ReasonTokenVerificationFailed, string(kind)+" needs a Client to be verified (WithClient)")
	}
	if _, rest, _ := strings.Cut(token, "_"); !plausibleOpaque(rest) {
		return nil, authErr(ReasonTokenInvalid, "not a well-formed "+string(kind))
	}
	if v.unknown.has(token, now.UnixMilli()) {
		return nil, authErr(ReasonTokenInvalid, "Clerk did not know this token a moment ago")
	}
	if v.store != nil {
		if answer, ok := v.store.Get(ctx, storeKey(token)); ok {
			if auth, err := a.opaqueAuth(token, kind, answer, now); err == nil {
				a.reuseOpaque(ctx, token, auth, nil, now)
				return auth, nil
			}
			// An unusable stored answer is a miss: ask Clerk.
		}
	}
	auth, err, _ := v.calls.Do(ctx, token, func(callCtx context.Context, _ func(error)) (*Auth, error) {
		// A call for this token may have finished between this
		// request's cache lookup and now: its answer is reused, not asked
		// for again.
		if auth := a.reused(token, v.now()); auth != nil {
			return auth, nil
		}
		return a.askClerk(callCtx, token, kind)
	})
	if err == nil {
		return auth, nil
	}
	var authErr *AuthError
	if errors.As(err, &authErr) {
		return nil, authErr
	}
	// This caller's context ended while it waited for the shared call.
	return nil, &AuthError{Reason: ReasonUnexpectedError, Detail: "gave up waiting for Clerk's answer", Err: err}
}

// askClerk makes the verify call, within the budget for tokens not seen
// before, and records the outcome.
func (a *Authenticator) askClerk(ctx context.Context, token string, kind TokenType) (*Auth, error) {
	v := a.opaque
	now := v.now()
	if !v.budget.take(now) {
		return nil, authErr(ReasonVerificationThrottled, "too many unknown tokens at once; not asking Clerk about this one")
	}
	answer, err := v.api.do(ctx, http.MethodPost, v.base+verifyPath(kind), v.credentials.authorization(), verifyBody(kind, token), nil)
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusBadRequest ||
			apiErr.StatusCode == http.StatusUnprocessableEntity) {
			v.unknown.add(token, now.UnixMilli()+unknownTokenMemory.Milliseconds())
			return nil, &AuthError{Reason: ReasonTokenInvalid, Detail: "Clerk does not know this " + string(kind), Err: err}
		}
		return nil, &AuthError{Reason: ReasonUnexpectedError, Detail: "could not ask Clerk about the " + string(kind), Err: err}
	}
	auth, aerr := a.opaqueAuth(token, kind, answer, now)
	if aerr != nil {
		if aerr.Reason == ReasonTokenRevoked || aerr.Reason == ReasonTokenExpired {
			v.unknown.add(token, now.UnixMilli()+unknownTokenMemory.Milliseconds())
		}
		return nil, aerr
	}
	a.reuseOpaque(ctx, token, auth, answer, now)
	return auth, nil
}

// reused is the cached Auth of an opaque token still within its reuse
// time, or nil.
func (a *Authenticator) reused(token string, now time.Time) *Auth {
	if a.verified == nil {
		return nil
	}
	if e := a.verified.get(token); e != nil && e.key == nil && now.UnixMilli() < e.until {
		return e.auth
	}
	return nil
}

// reuseOpaque keeps a verified opaque token for the reuse time, never past
// its expiry; answer, when not nil, goes to the shared store too.
func (a *Authenticator) reuseOpaque(ctx context.Context, token string, auth *Auth, answer []byte, now time.Time) {
	v := a.opaque
	if v.reuse <= 0 {
		return
	}
	until := now.Add(v.reuse).UnixMilli()
	if exp := auth.machine.exp; exp != 0 {
		until = min(until, exp)
	}
	if a.verified != nil {
		a.verified.put(token, verifiedToken{auth: auth, until: until})
	}
	if answer != nil && v.store != nil {
		v.store.Set(ctx, storeKey(token), answer, time.UnixMilli(until))
	}
}

// verifyAnswer is what the three verify endpoints answer that this package
// reads (M2MToken, APIKey and IdPOAuthAccessToken in Clerk's SDKs).
type verifyAnswer struct {
	Object     string          `json:"object"`
	ID         string          `json:"id"`
	Subject    string          `json:"subject"`
	Name       string          `json:"name"`
	Scopes     []string        `json:"scopes"`
	Claims     json.RawMessage `json:"claims"`
	Revoked    bool            `json:"revoked"`
	Expired    bool            `json:"expired"`
	Expiration *int64          `json:"expiration"` // Unix ms; null: none
	Aud        json.RawMessage `json:"aud"`
	// Active false is the OAuth verify answer for an expired JWT access
	// token, in place of the object.
	Active *bool `json:"active"`
}

// opaqueAuth turns a verify answer into an Auth. A revoked or expired token
// is refused, where Clerk's JavaScript SDK would sign its caller in.
func (a *Authenticator) opaqueAuth(token string, kind TokenType, body []byte, now time.Time) (*Auth, *AuthError) {
	var ans verifyAnswer
	err := json.Unmarshal(body, &ans)
	if err == nil && ans.Active != nil && !*ans.Active {
		return nil, authErr(ReasonTokenExpired, "Clerk says the "+string(kind)+" is not active")
	}
	if err != nil || ans.ID == "" || !subjectLooksRight(kind, ans.Subject) {
		return nil, &AuthError{Reason: ReasonUnexpectedError, Detail: "Clerk's verify answer is not one", Err: ErrInvalidResponse}
	}
	m := &machineIdentity{id: ans.ID, subject: ans.Subject, name: ans.Name, scopes: ans.Scopes}
	if ans.Expiration != nil {
		m.exp = *ans.Expiration
	}
	switch {
	case ans.Revoked:
		return nil, authErr(ReasonTokenRevoked, "Clerk says the "+string(kind)+" was revoked")
	case ans.Expired:
		// Clerk's flag decides; the expiration only bounds reuse, so a
		// unit Clerk changes cannot refuse every token.
		return nil, authErr(ReasonTokenExpired, "Clerk says the "+string(kind)+" expired")
	case kind == TokenTypeOAuthToken && len(a.audiences) > 0 && !slices.ContainsFunc(audList(ans.Aud), a.isAudience):
		return nil, authErr(ReasonTokenVerificationFailed, "aud names none of the configured audiences")
	}
	auth := &Auth{kind: kind, machine: m, token: token}
	if len(ans.Claims) > 0 && string(ans.Claims) != "null" {
		auth.payload = string(ans.Claims)
	}
	return auth, nil
}

// audList reads aud, a string or an array of strings.
func audList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

func verifyPath(kind TokenType) string {
	switch kind {
	case TokenTypeM2MToken:
		return "/m2m_tokens/verify"
	case TokenTypeAPIKey:
		return "/api_keys/verify"
	}
	return "/oauth_applications/access_tokens/verify"
}

// verifyBody is each endpoint's body; the token is JSON-escaped.
func verifyBody(kind TokenType, token string) []byte {
	field := "access_token"
	switch kind {
	case TokenTypeM2MToken:
		field = "token"
	case TokenTypeAPIKey:
		field = "secret"
	}
	body, _ := json.Marshal(map[string]string{field: token})
	return body
}

// plausibleOpaque reports whether what follows an opaque token's prefix
// could be one of Clerk's: letters, digits, '_' or '-', at most 256 of
// them. Anything else is refused here, without a call to Clerk.
func plausibleOpaque(rest string) bool {
	if rest == "" || len(rest) > 256 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if !isWordChar(rest[i]) {
			return false
		}
	}
	return true
}

// storeKey names a token in a shared store without revealing it.
func storeKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// refusals remembers tokens Clerk did not know, for a while, in a bounded
// ring: repeating a made-up token costs nothing.
type refusals struct {
	mu    sync.Mutex
	until map[string]int64 // token → Unix ms
	order []string
	next  int
}

func (r *refusals) has(token string, nowMillis int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	until, ok := r.until[token]
	return ok && nowMillis < until
}

func (r *refusals) add(token string, untilMillis int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.until[token]; !ok {
		if old := r.order[r.next]; old != "" {
			delete(r.until, old)
		}
		r.order[r.next] = token
		r.next = (r.next + 1) % len(r.order)
	}
	r.until[token] = untilMillis
}

// tokenBucket allows capacity calls at once and perSecond more every second.
type tokenBucket struct {
	mu        sync.Mutex
	capacity  float64
	perSecond float64
	tokens    float64
	last      time.Time
}

func (b *tokenBucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.capacity, b.tokens+now.Sub(b.last).Seconds()*b.perSecond)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
