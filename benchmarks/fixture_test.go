package benchmarks_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/clerk/clerk-sdk-go/v2"
	sdkjwks "github.com/clerk/clerk-sdk-go/v2/jwks"
	sdkjwt "github.com/clerk/clerk-sdk-go/v2/jwt"
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// authorizedParty is the origin the session tokens carry in azp; both
// libraries are configured to check it, as a production app would.
const authorizedParty = "https://app.example.com"

// instanceKey is shared by every emulator in the process: generating a
// 2048-bit key costs up to a second, and each emulator still gets its own
// random kid, so no kid-keyed cache (the SDK's is process-wide) carries
// over from one emulator to the next.
var instanceKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// instance is one emulated Clerk instance with a signed-in user whose
// session has an active organization, so its session tokens carry the v2
// o, fea and pla claims a real app sees.
type instance struct {
	srv       *clerktest.Server
	sessionID string
	pem       string
	sdkJWK    *sdk.JSONWebKey
}

func newInstance(tb testing.TB) *instance {
	tb.Helper()
	srv := clerktest.NewServer(clerktest.WithKey(instanceKey()))
	tb.Cleanup(srv.Close)
	user, err := srv.AddUser(clerktest.User{FirstName: "Ada", LastName: "Lovelace", Plan: "free", Features: []string{"free"}})
	if err != nil {
		tb.Fatal(err)
	}
	org, err := srv.AddOrganization(clerktest.Organization{Name: "Acme", Slug: "acme", Plan: "pro"})
	if err != nil {
		tb.Fatal(err)
	}
	err = srv.AddMembership(org.ID, user.ID, "admin",
		"org:impersonation:read", "org:memberships:read", "org:memberships:manage", "org:billing:read")
	if err != nil {
		tb.Fatal(err)
	}
	sess := srv.CreateSession(user.ID, clerktest.WithActiveOrganization(org.ID), clerktest.WithAuthorizedParty(authorizedParty))
	in := &instance{srv: srv, sessionID: sess.ID, pem: srv.PublicKeyPEM()}
	if in.sdkJWK, err = sdk.JSONWebKeyFromPEM(in.pem); err != nil {
		tb.Fatal(err)
	}
	return in
}

// token mints a session token. Benchmarks ask for a long lifetime so a
// slow run never outlives it; the lifetime changes no verification cost.
func (in *instance) token(tb testing.TB, opts ...clerktest.TokenOption) string {
	tb.Helper()
	tok, err := in.srv.SessionToken(in.sessionID, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// tokens mints n distinct session tokens (each has its own jti).
func (in *instance) tokens(tb testing.TB, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = in.token(tb, clerktest.TokenLifetime(time.Hour))
	}
	return out
}

// withKID returns token with its header's kid replaced, as an attacker (or
// a token from another instance) would send it. The signature no longer
// matches, which neither library gets to check: both look the kid up
// first.
func withKID(token, kid string) string {
	header := `{"alg":"RS256","cat":"` + clerktest.CategorySessionToken + `","kid":"` + kid + `","typ":"JWT"}`
	return base64.RawURLEncoding.EncodeToString([]byte(header)) + token[strings.IndexByte(token, '.'):]
}

// randomKID looks like a Clerk instance key id.
func randomKID() string { return "ins_" + rand.Text() }

// authenticator builds a clerkkit Authenticator checking iss and azp, with
// keys from CLERK_JWT_KEY unless opts name another source.
func (in *instance) authenticator(tb testing.TB, keys clerk.AuthenticatorOption, opts ...clerk.AuthenticatorOption) *clerk.Authenticator {
	tb.Helper()
	if keys == nil {
		keys = clerk.WithJWTKey(in.pem)
	}
	all := append([]clerk.AuthenticatorOption{
		keys,
		clerk.WithPublishableKey(in.srv.PublishableKey()),
		clerk.WithAuthorizedParties(authorizedParty),
	}, opts...)
	a, err := clerk.NewAuthenticator(all...)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// backendJWKS is clerkkit's key source over the Backend API.
func (in *instance) backendJWKS(tb testing.TB) clerk.AuthenticatorOption {
	tb.Helper()
	c, err := clerk.NewClient(in.srv.SecretKey(), clerk.WithAPIURL(in.srv.URL), clerk.WithHTTPClient(pooledHTTPClient()))
	if err != nil {
		tb.Fatal(err)
	}
	return clerk.WithClient(c)
}

// sdkJWKSClient is the SDK's key source over the Backend API.
func (in *instance) sdkJWKSClient() *sdkjwks.Client {
	return sdkjwks.NewClient(&sdk.ClientConfig{BackendConfig: sdk.BackendConfig{
		URL:        sdk.String(in.srv.URL + "/v1"),
		Key:        sdk.String(in.srv.SecretKey()),
		HTTPClient: pooledHTTPClient(),
	}})
}

// sdkVerifyParams verifies with the JWK given directly (no fetch) and the
// same azp check clerkkit makes; the SDK checks iss by itself.
func (in *instance) sdkVerifyParams(token string) *sdkjwt.VerifyParams {
	return &sdkjwt.VerifyParams{Token: token, JWK: in.sdkJWK, AuthorizedPartyHandler: isAuthorizedParty}
}

func isAuthorizedParty(azp string) bool { return azp == authorizedParty }

// pooledHTTPClient keeps enough idle connections for concurrent callers
// and bounds the open ones, so a thousand concurrent requests queue on a
// pool instead of exhausting file descriptors.
func pooledHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	t.MaxConnsPerHost = 64
	return &http.Client{Transport: t}
}
