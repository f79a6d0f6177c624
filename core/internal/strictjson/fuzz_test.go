package strictjson_test

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clerkkit/clerkkit/core/internal/strictjson"
)

// FuzzScanner compares the scanner with encoding/json on arbitrary text.
// The scanner must accept exactly the texts encoding/json accepts that are
// valid UTF-8, nest no deeper than 32 containers and repeat no member name
// (compared as strings.EqualFold does), and must hand out the same string
// content.
func FuzzScanner(f *testing.F) {
	for _, seed := range []string{
		`{"sub":"user_1","exp":1.5e9,"o":{"id":"org_1"},"fva":[1,-1],"x":null,"t":true}`,
		`{"sub":"a","sub":"b"}`, `{"sub":"a","SUB":"b"}`, `{"\u0073ub":"a","sub":"b"}`,
		`{"a":1} `, `{"a":1}{}`, `{"a":1}x`, ` [1, 2 ,3] `, `"a\"b\u00e9"`, `"é"`, "\"\xff\"", "\"a\x01\"",
		`01`, `-0`, `1.`, `1e`, `1e+5`, `-`, `+1`, `.5`, `tru`, `nul`, `{"a"}`, `{"a":}`, `[1,]`, `{,}`,
		strings.Repeat("[", 32) + strings.Repeat("]", 32), strings.Repeat("[", 33) + strings.Repeat("]", 33),
		`{"K":1,"k":2}`, `{"ſ":1,"S":2}`, `"\ud800"`, ``, ` `,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sc := strictjson.NewScanner(text)
		kind, raw, err := sc.Next(0)
		accepted := err == nil && sc.AtEnd()
		want, foldSensitive := reference(text)
		if accepted && !want {
			t.Fatalf("scanner accepts %q, which encoding/json or the rules refuse", text)
		}
		// Past 24 members the scanner compares names through a map of
		// upper-then-lower-cased names, which also pairs U+0130 and U+0131
		// with i and I (strings.EqualFold does not): stricter, never looser.
		if !accepted && want && !foldSensitive {
			t.Fatalf("scanner refuses %q: %v", text, err)
		}
		if accepted && kind == strictjson.String {
			var std string
			if err := json.Unmarshal([]byte(raw), &std); err != nil || std != strictjson.StringContent(raw) {
				t.Fatalf("string %q: content %q, encoding/json %q (%v)", raw, strictjson.StringContent(raw), std, err)
			}
		}
	})
}

// reference decides a text with encoding/json's tokenizer: valid JSON in
// valid UTF-8, at most 32 levels of containers and no two member names of
// one object equal under strings.EqualFold. foldSensitive reports a member
// name holding U+0130 or U+0131.
func reference(text string) (ok, foldSensitive bool) {
	if !json.Valid([]byte(text)) || !utf8.ValidString(text) {
		return false, false
	}
	type frame struct {
		object, wantName bool
		names            []string
	}
	var stack []frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantName = true
		}
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber() // syntax only: 1e700 is JSON, though no float64
	ok = true
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return ok, foldSensitive
		}
		if err != nil {
			return false, foldSensitive
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, frame{object: v == '{', wantName: v == '{'})
				if len(stack) > 32 {
					ok = false
				}
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			top := len(stack) - 1
			if top < 0 || !stack[top].object || !stack[top].wantName {
				valueDone()
				continue
			}
			foldSensitive = foldSensitive || strings.ContainsAny(v, "\u0130\u0131")
			for _, seen := range stack[top].names {
				if strings.EqualFold(seen, v) {
					ok = false
				}
			}
			stack[top].names = append(stack[top].names, v)
			stack[top].wantName = false
		default:
			valueDone()
		}
	}
}
