package jose_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/core/internal/jose"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// FuzzParse feeds arbitrary tokens. A token Parse accepts has exactly one
// spelling (its parts re-encode to the token), a header that is a JSON
// object without crit, and header parameters that encoding/json reads the
// same way.
func FuzzParse(f *testing.F) {
	for _, header := range []string{
		`{"alg":"RS256","kid":"ins_1","typ":"JWT","cat":"cl_B7d4PD111AAA"}`, `{"alg":"RS256"}`, `{}`,
		`{"alg":"RS256","alg":"none"}`, `{"alg":"RS256","ALG":"none"}`, `{"alg":"R\u0053256","kid":""}`,
		`{"alg":"RS256","crit":["b64"]}`, `{"alg":1}`, `{"typ":null}`, `{"alg":"RS256"} x`, `[]`, `"a"`,
	} {
		f.Add(b64(header) + "." + b64(`{"sub":"user_1"}`) + "." + b64("sig"))
	}
	valid := b64(`{"alg":"RS256"}`) + "." + b64(`{}`) + "." + b64("sig")
	f.Add(valid + "=")
	f.Add(strings.Replace(valid, ".", "\n.", 1))
	f.Add(b64(`{"alg":"RS256"}`) + "." + b64(`{}`) + ".c2l")
	f.Add(b64(`{"alg":"RS256"}`) + ".." + b64("sig"))
	f.Add("a.b.c.d")
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		p, err := jose.Parse(token)
		if err != nil {
			if len(token) > 20 && strings.Contains(err.Error(), token[:20]) {
				t.Fatalf("error quotes the token: %v", err)
			}
			return
		}
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted %d parts", len(parts))
		}
		header, err := base64.RawURLEncoding.DecodeString(parts[0])
		if err != nil {
			t.Fatalf("accepted header %q: %v", parts[0], err)
		}
		if b64(string(header)) != parts[0] || b64(p.Payload) != parts[1] ||
			base64.RawURLEncoding.EncodeToString(p.Signature) != parts[2] {
			t.Fatalf("accepted a second spelling: %q", token)
		}
		if p.SigningInput != parts[0]+"."+parts[1] {
			t.Fatalf("signing input %q", p.SigningInput)
		}
		var std map[string]any
		if err := json.Unmarshal(header, &std); err != nil {
			t.Fatalf("accepted header %q that encoding/json refuses: %v", header, err)
		}
		if _, ok := std["crit"]; ok {
			t.Fatalf("accepted crit: %q", header)
		}
		for name, got := range map[string]string{"alg": p.Header.Alg, "kid": p.Header.Kid, "typ": p.Header.Typ, "cat": p.Header.Cat} {
			v, present := std[name]
			if present && v != got || !present && got != "" {
				t.Fatalf("header %q: %s is %q, encoding/json reads %v", header, name, got, v)
			}
		}
		if _, ok := std["kid"]; ok != p.Header.HasKid {
			t.Fatalf("header %q: HasKid %v", header, p.Header.HasKid)
		}
		if _, ok := std["typ"]; ok != p.Header.HasTyp {
			t.Fatalf("header %q: HasTyp %v", header, p.Header.HasTyp)
		}
	})
}
