package clerk

import (
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// orgPermissionsV2 decodes the organization permissions of a v2 session
// token. fea lists features with a scope; the org-scoped ones (o:, ou:, uo:)
// are numbered in order, and the n-th decimal in fpm is a bitmask over per:
// bit i (least significant first) grants per[i]. Each grant reads
// "org:<feature>:<permission>", the form Clerk's has() checks.
//
// Every element is trimmed as JavaScript's trim() does, as Clerk's SDKs
// read the claims. A mask that is not a decimal number grants nothing, bits
// past the end of per are ignored, and an empty permission name is never
// granted: a malformed claim must never invent a permission.
func orgPermissionsV2(fea, per, fpm string) []string {
	if fea == "" || per == "" || fpm == "" {
		return nil
	}
	var out []string
	masks := fpm
	for feature := range strings.SplitSeq(fea, ",") {
		scope, name, ok := strings.Cut(jsTrim(feature), ":")
		if !ok || (scope != "o" && scope != "ou" && scope != "uo") {
			continue // an org feature with an empty name still takes its mask, as in Clerk
		}
		if masks == "" {
			break // fewer masks than org features: the rest grant nothing
		}
		var mask string
		mask, masks, _ = strings.Cut(masks, ",")
		bits, ok := parseMask(jsTrim(mask))
		if !ok {
			continue
		}
		i := 0
		for perm := range strings.SplitSeq(per, ",") {
			perm = jsTrim(perm)
			if perm != "" && bits.has(i) {
				out = append(out, "org:"+name+":"+perm)
			}
			i++
		}
	}
	return out
}

// permissionMask is a decimal bitmask; big only when it exceeds 64 bits.
type permissionMask struct {
	small uint64
	big   *big.Int
}

func (m permissionMask) has(i int) bool {
	if m.big != nil {
		return m.big.Bit(i) == 1
	}
	return i < 64 && m.small&(1<<uint(i)) != 0
}

func parseMask(s string) (permissionMask, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return permissionMask{}, false
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return permissionMask{small: n}, true
	}
	if len(s) > 64 { // more than ~200 permissions is not a real instance
		return permissionMask{}, false
	}
	b, ok := new(big.Int).SetString(s, 10)
	return permissionMask{big: b}, ok
}

// jsTrim trims as JavaScript's String.prototype.trim: Unicode white space
// and line terminators, which is Go's unicode.IsSpace without U+0085 and
// with U+FEFF.
func jsTrim(s string) string {
	if s == "" || (s[0] > ' ' && s[0] < utf8.RuneSelf && s[len(s)-1] > ' ' && s[len(s)-1] < utf8.RuneSelf) {
		return s // nothing to trim: the common case, without decoding a rune
	}
	return strings.TrimFunc(s, func(r rune) bool {
		return r == '\uFEFF' || (r != '\u0085' && unicode.IsSpace(r))
	})
}
