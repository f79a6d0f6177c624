package clerk

import (
	"context"
	"net/http"
)

// maxJWKSBytes bounds a public key set response; Clerk's is under 1 KiB.
const maxJWKSBytes = 256 << 10

// publicJWKSFetcher fetches a key set that needs no secret key, such as the
// Frontend API's /.well-known/jwks.json. It goes through the same requester
// as the Backend API, without Authorization: DefaultRetryPolicy (429, 5xx
// and transport failures, Retry-After honoured), DefaultTimeout per fetch,
// redirects refused. A redirect needs no key to do harm here: it could
// swap the keys tokens are checked against.
func publicJWKSFetcher(hc *http.Client, target string, obs *Observer) func(context.Context) ([]byte, error) {
	if hc == nil {
		hc = &http.Client{Transport: newTransport()}
	}
	r := &requester{
		client: refuseRedirects(hc),
		header: http.Header{
			"Accept":     {"application/json"},
			"User-Agent": {defaultUserAgent},
		},
		retry:    DefaultRetryPolicy(),
		timeout:  DefaultTimeout,
		maxBytes: maxJWKSBytes,
		observer: obs,
	}
	return func(ctx context.Context) ([]byte, error) {
		return r.do(ctx, http.MethodGet, target, "", nil, nil)
	}
}
