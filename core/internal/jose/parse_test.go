package jose_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/core/internal/jose"
	"github.com/clerkkit/clerkkit/core/internal/strictjson"
)

// TestParseErrors pins what each malformed form is refused with: the
// texts are the details of the core's token-invalid refusals.
func TestParseErrors(t *testing.T) {
	payload, sig := b64(`{}`), b64("sig")
	token := func(header string) string { return b64(header) + "." + payload + "." + sig }
	for _, tc := range []struct {
		name, token, text string
		is                error
	}{
		{"two parts", "a.b", "not three base64url parts", jose.ErrNotCompact},
		{"empty payload", b64(`{}`) + ".." + sig, "not three base64url parts", jose.ErrNotCompact},
		{"line break", strings.Replace(token(`{}`), ".", "\n.", 1), "not three base64url parts", jose.ErrNotCompact},
		{"padding", token(`{}`) + "=", "not three base64url parts", jose.ErrNotCompact},
		{"spare bits", b64(`{}`) + "." + payload + ".c2l", "invalid base64url", jose.ErrBase64},
		{"trailing data", token(`{"alg":"RS256"} x`), "header: malformed JSON", strictjson.ErrSyntax},
		{"not an object", token(`[]`), "header: malformed JSON", strictjson.ErrSyntax},
		{"duplicate", token(`{"alg":"RS256","ALG":"none"}`), "header: duplicate JSON member name", strictjson.ErrDuplicate},
		{"deep", token(`{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`), "header: JSON nested too deeply", strictjson.ErrDepth},
		{"crit", token(`{"alg":"RS256","crit":["b64"]}`), "crit header parameter is not supported", jose.ErrCrit},
		{"alg not a string", token(`{"alg":1}`), "header parameter alg is not a string", nil},
		{"typ null", token(`{"alg":"RS256","typ":null}`), "header parameter typ is not a string", nil},
	} {
		_, err := jose.Parse(tc.token)
		if err == nil || err.Error() != tc.text || tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: got %v, want %q (%v)", tc.name, err, tc.text, tc.is)
		}
	}

	p, err := jose.Parse(token(`{"alg":"RS256","kid":"ins_1","x":{"crit":1}}`))
	if err != nil || p.Header.Alg != "RS256" || p.Header.Kid != "ins_1" || !p.Header.HasKid || p.Header.HasTyp ||
		p.Payload != `{}` || string(p.Signature) != "sig" {
		t.Fatalf("valid token: %+v, %v", p, err)
	}
}
