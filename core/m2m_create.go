package clerk

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// M2MTokenFormat is the token_format of a new M2M token.
type M2MTokenFormat string

// The two formats Clerk mints. An opaque token ("mt_…") is checked by the
// receiving service over the Backend API and can be revoked; a JWT is
// checked with the instance's public keys, without a call, and cannot be.
const (
	M2MTokenOpaque M2MTokenFormat = "opaque"
	M2MTokenJWT    M2MTokenFormat = "jwt"
)

// maxM2MClaimsBytes bounds the custom claims of one token once encoded. A
// JWT-format token carries them, and a token much over 8 KiB no longer fits
// the header limits of common proxies in front of the services it calls.
const maxM2MClaimsBytes = 4 << 10

// maxRevocationReasonBytes bounds a revocation reason: a sentence for the
// audit log, not a document.
const maxRevocationReasonBytes = 1024

// An M2MTokenOption sets one parameter of a new M2M token, for
// [M2MClient.CreateM2MToken] and [M2MClient.TokenSource], or (the refresh
// margin and the shared store) one setting of a token source. Each checks
// its argument; the first refused one is returned before any request.
type M2MTokenOption interface {
	applyToM2M(*m2mParams) error
}

type m2mOption func(*m2mParams) error

func (f m2mOption) applyToM2M(p *m2mParams) error { return f(p) }

// m2mParams is the create request plus a token source's own settings.
type m2mParams struct {
	lifetime     time.Duration // 0: the machine's default
	claims       []byte        // encoded JSON object; nil: none
	minRemaining time.Duration
	minSet       bool
	format       M2MTokenFormat

	// Token source settings; CreateM2MToken refuses them.
	margin    time.Duration // 0: the default rule
	store     M2MTokenStore
	sourceOpt string // the name of the first source-only option given
}

// WithM2MLifetime asks for a token that expires d from its creation
// (seconds_until_expiration) instead of after the machine's default
// lifetime. d must be whole seconds from 1 s to ten years.
func WithM2MLifetime(d time.Duration) M2MTokenOption {
	return m2mOption(func(p *m2mParams) error {
		if d < time.Second || d > MaxTokenLifetimeSeconds*time.Second || d%time.Second != 0 {
			return &InputError{Param: "seconds_until_expiration", Reason: "must be whole seconds from 1 to 315360000"}
		}
		p.lifetime = d
		return nil
	})
}

// WithM2MClaims adds custom claims to the token (claims). They are encoded
// when the option is applied, so changing the map afterwards changes
// nothing; they must encode as a JSON object of at most 4 KiB.
func WithM2MClaims(claims map[string]any) M2MTokenOption {
	return m2mOption(func(p *m2mParams) error {
		if claims == nil {
			p.claims = nil
			return nil
		}
		b, err := json.Marshal(claims)
		switch {
		case err != nil:
			return &InputError{Param: "claims", Reason: "cannot be encoded as JSON"}
		case len(b) > maxM2MClaimsBytes:
			return &InputError{Param: "claims", Reason: "are longer than 4096 bytes once encoded"}
		}
		p.claims = b
		return nil
	})
}

// WithM2MMinRemainingTTL asks Clerk to hand back an existing live token of
// this machine with the same claims and scopes when it has at least d left
// (min_remaining_ttl_seconds), instead of minting a new one: server-side
// reuse for processes too short-lived to keep a token. d must be whole
// seconds, at least 0 and below the lifetime (Clerk answers 400 otherwise;
// with WithM2MLifetime the check is made here). It applies to opaque
// tokens only and is refused with M2MTokenJWT.
func WithM2MMinRemainingTTL(d time.Duration) M2MTokenOption {
	return m2mOption(func(p *m2mParams) error {
		if d < 0 || d > MaxTokenLifetimeSeconds*time.Second || d%time.Second != 0 {
			return &InputError{Param: "min_remaining_ttl_seconds", Reason: "must be whole seconds from 0 to 315360000"}
		}
		p.minRemaining, p.minSet = d, true
		return nil
	})
}

// WithM2MTokenFormat chooses the token_format: M2MTokenOpaque, the
// default, or M2MTokenJWT.
func WithM2MTokenFormat(f M2MTokenFormat) M2MTokenOption {
	return m2mOption(func(p *m2mParams) error {
		if f != M2MTokenOpaque && f != M2MTokenJWT {
			return &InputError{Param: "token_format", Reason: `must be "opaque" or "jwt"`}
		}
		p.format = f
		return nil
	})
}

// applyM2MOptions applies opts and checks the combination.
func applyM2MOptions(opts []M2MTokenOption) (m2mParams, error) {
	p := m2mParams{format: M2MTokenOpaque}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt.applyToM2M(&p); err != nil {
			return p, err
		}
	}
	switch {
	case p.minSet && p.format == M2MTokenJWT:
		return p, &InputError{Param: "min_remaining_ttl_seconds", Reason: "applies to opaque tokens only; JWTs are never reused by Clerk"}
	case p.minSet && p.lifetime > 0 && p.minRemaining >= p.lifetime:
		return p, &InputError{Param: "min_remaining_ttl_seconds", Reason: "must be below seconds_until_expiration"}
	}
	return p, nil
}

// body encodes the create request with the members and defaults of Clerk's
// own client: seconds_until_expiration and claims always (null when unset),
// min_remaining_ttl_seconds only when set, token_format always.
func (p *m2mParams) body() []byte {
	b := make([]byte, 0, 96+len(p.claims))
	b = append(b, `{"seconds_until_expiration":`...)
	if p.lifetime > 0 {
		b = strconv.AppendInt(b, int64(p.lifetime/time.Second), 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"claims":`...)
	if p.claims != nil {
		b = append(b, p.claims...)
	} else {
		b = append(b, "null"...)
	}
	if p.minSet {
		b = append(b, `,"min_remaining_ttl_seconds":`...)
		b = strconv.AppendInt(b, int64(p.minRemaining/time.Second), 10)
	}
	b = append(b, `,"token_format":"`...)
	b = append(b, p.format...)
	return append(b, `"}`...)
}

// CreateM2MToken mints an M2M token for the client's machine (POST
// /m2m_tokens), as m2m.createToken of Clerk's SDKs, with input checks,
// typed errors and retries as for [Client.GetToken]: a refused option is an
// [*InputError]; a 4xx answer an [*APIError] at once; 429, 5xx and transport
// failures are retried within the deadline. An answer whose expiration is
// missing, null, past or absurd is an error matching ErrInvalidResponse.
//
// Each call mints (or, with WithM2MMinRemainingTTL, may get a live token
// back from Clerk); a [M2MTokenSource] reuses one token across calls.
func (c *M2MClient) CreateM2MToken(ctx context.Context, opts ...M2MTokenOption) (*M2MToken, error) {
	p, err := applyM2MOptions(opts)
	if err != nil {
		return nil, err
	}
	if p.sourceOpt != "" {
		return nil, configError(p.sourceOpt + " applies to a token source, not to CreateM2MToken")
	}
	return c.create(ctx, p.body(), nil)
}

// create sends a prepared create request and decodes the answer.
func (c *M2MClient) create(ctx context.Context, body []byte, observe func(error)) (*M2MToken, error) {
	respBody, err := c.api.do(ctx, http.MethodPost, c.baseURL+"/m2m_tokens", c.credentials.authorization(), body, observe)
	if err != nil {
		return nil, err
	}
	return decodeM2MToken(respBody, true, c.now())
}

// RevokeM2MToken revokes one of the machine's opaque M2M tokens by id
// (POST /m2m_tokens/{id}/revoke); reason, which may be "", is kept by
// Clerk. tokenID is M2MToken.ID, never the bearer value (Token): both
// start with "mt_", but the id is part of the path, which errors name. It returns the revoked token as Clerk describes it, without its
// bearer value. JWT-format tokens cannot be revoked (Clerk answers 4xx).
func (c *M2MClient) RevokeM2MToken(ctx context.Context, tokenID, reason string) (*M2MToken, error) {
	id, err := pathSegment("M2M token ID", tokenID)
	if err != nil {
		return nil, err
	}
	switch {
	case len(reason) > maxRevocationReasonBytes:
		return nil, &InputError{Param: "revocation_reason", Reason: "is longer than 1024 bytes"}
	case !utf8.ValidString(reason):
		return nil, &InputError{Param: "revocation_reason", Reason: "is not valid UTF-8"}
	}
	body := []byte(`{"revocation_reason":null}`)
	if reason != "" {
		var buf bytes.Buffer
		buf.WriteString(`{"revocation_reason":`)
		quoted, _ := json.Marshal(reason) // a valid UTF-8 string always encodes
		buf.Write(quoted)
		buf.WriteByte('}')
		body = buf.Bytes()
	}
	respBody, err := c.api.do(ctx, http.MethodPost, c.baseURL+"/m2m_tokens/"+id+"/revoke", c.credentials.authorization(), body, nil)
	if err != nil {
		return nil, err
	}
	return decodeM2MToken(respBody, false, c.now())
}
