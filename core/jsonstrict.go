package clerk

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// The token's header and claims are parsed by this small scanner rather than
// encoding/json, for three reasons: encoding/json keeps the last of two
// duplicate keys (so {"sub":"a","sub":"b"} would mean whatever the last
// parser to read it decides), it matches struct fields case-insensitively
// ("SUB" would fill sub), and it accepts invalid UTF-8. The scanner rejects
// all three, validates the whole text before anything is used, and lets the
// claims be read without allocating a map.

// maxJSONDepth bounds nesting so a hostile token cannot exhaust the stack.
const maxJSONDepth = 32

// inlineKeys is how many member names per object are compared pairwise
// before switching to a map, keeping the duplicate check linear for large
// objects an attacker might send.
const inlineKeys = 24

type jsonKind uint8

const (
	jsonString jsonKind = iota + 1
	jsonNumber
	jsonObject
	jsonArray
	jsonBool
	jsonNull
)

var (
	errJSONSyntax    = errors.New("malformed JSON")
	errJSONDuplicate = errors.New("duplicate JSON member name")
	errJSONDepth     = errors.New("JSON nested too deeply")
)

// jsonScanner reads one JSON text held in a string, so that every string
// value without escapes can be handed out as a substring, allocation free.
type jsonScanner struct {
	s   string
	pos int
}

func (sc *jsonScanner) skipSpace() {
	for sc.pos < len(sc.s) {
		switch sc.s[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

func (sc *jsonScanner) peek() byte {
	sc.skipSpace()
	if sc.pos >= len(sc.s) {
		return 0
	}
	return sc.s[sc.pos]
}

// object reads the object at pos. For each member, member is called with
// its unescaped name and must consume the value (with next); when member is
// nil the values are validated and skipped.
func (sc *jsonScanner) object(depth int, member func(name string) error) error {
	if depth > maxJSONDepth {
		return errJSONDepth
	}
	if sc.peek() != '{' {
		return errJSONSyntax
	}
	sc.pos++
	if sc.peek() == '}' {
		sc.pos++
		return nil
	}
	var names memberNames
	for {
		if sc.peek() != '"' {
			return errJSONSyntax
		}
		start := sc.pos
		escaped, err := sc.str()
		if err != nil {
			return err
		}
		name := jsonStringContent(sc.s[start:sc.pos], escaped)
		if err := names.add(name); err != nil {
			return err
		}
		if sc.peek() != ':' {
			return errJSONSyntax
		}
		sc.pos++
		if member != nil {
			err = member(name)
		} else {
			_, _, err = sc.next(depth)
		}
		if err != nil {
			return err
		}
		switch sc.peek() {
		case ',':
			sc.pos++
		case '}':
			sc.pos++
			return nil
		default:
			return errJSONSyntax
		}
	}
}

// array reads the array at pos, calling elem for each element; elem must
// consume it. A nil elem validates and skips.
func (sc *jsonScanner) array(depth int, elem func() error) error {
	if depth > maxJSONDepth {
		return errJSONDepth
	}
	if sc.peek() != '[' {
		return errJSONSyntax
	}
	sc.pos++
	if sc.peek() == ']' {
		sc.pos++
		return nil
	}
	for {
		var err error
		if elem != nil {
			err = elem()
		} else {
			_, _, err = sc.next(depth)
		}
		if err != nil {
			return err
		}
		switch sc.peek() {
		case ',':
			sc.pos++
		case ']':
			sc.pos++
			return nil
		default:
			return errJSONSyntax
		}
	}
}

// next validates and consumes one value, returning its kind and raw text.
// depth is the depth of the container holding the value.
func (sc *jsonScanner) next(depth int) (jsonKind, string, error) {
	c := sc.peek()
	start := sc.pos
	var kind jsonKind
	var err error
	switch {
	case c == '"':
		kind = jsonString
		_, err = sc.str()
	case c == '{':
		kind = jsonObject
		err = sc.object(depth+1, nil)
	case c == '[':
		kind = jsonArray
		err = sc.array(depth+1, nil)
	case c == 't':
		kind, err = jsonBool, sc.literal("true")
	case c == 'f':
		kind, err = jsonBool, sc.literal("false")
	case c == 'n':
		kind, err = jsonNull, sc.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		kind, err = jsonNumber, sc.number()
	default:
		err = errJSONSyntax
	}
	if err != nil {
		return 0, "", err
	}
	return kind, sc.s[start:sc.pos], nil
}

func (sc *jsonScanner) literal(word string) error {
	if !strings.HasPrefix(sc.s[sc.pos:], word) {
		return errJSONSyntax
	}
	sc.pos += len(word)
	return nil
}

// number follows the JSON grammar exactly: no leading zeros, no "+", no
// bare ".", digits required after "." and "e".
func (sc *jsonScanner) number() error {
	s, i := sc.s, sc.pos
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return errJSONSyntax
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return errJSONSyntax
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return errJSONSyntax
		}
		i = j
	}
	sc.pos = i
	return nil
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// str validates the string at pos (opening quote included) and reports
// whether it holds escapes. Control characters and invalid UTF-8 are
// refused rather than repaired.
func (sc *jsonScanner) str() (escaped bool, err error) {
	s := sc.s
	i := sc.pos + 1
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			sc.pos = i + 1
			return escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(s) {
				return false, errJSONSyntax
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					return false, errJSONSyntax
				}
				i += 6
			default:
				return false, errJSONSyntax
			}
		case c < 0x20:
			return false, errJSONSyntax
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return false, errJSONSyntax
			}
			i += size
		}
	}
	return false, errJSONSyntax
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// jsonStringContent returns the text of a validated, quoted JSON string.
// Escapes are rare in tokens, so only then is encoding/json asked to
// unescape (and memory allocated).
func jsonStringContent(quoted string, escaped bool) string {
	if !escaped {
		return quoted[1 : len(quoted)-1]
	}
	var v string
	if json.Unmarshal([]byte(quoted), &v) != nil {
		return "" // unreachable: the scanner validated the string
	}
	return v
}

// memberNames finds duplicate member names in one object. Names are
// compared case-insensitively because encoding/json (used by DecodeClaims)
// matches struct fields that way: {"role":…,"Role":…} would otherwise let
// the second silently win.
type memberNames struct {
	inline [inlineKeys]string
	n      int
	many   map[string]struct{}
}

func (m *memberNames) add(name string) error {
	if m.many != nil {
		return m.addFolded(name)
	}
	for i := 0; i < m.n; i++ {
		if strings.EqualFold(m.inline[i], name) {
			return errJSONDuplicate
		}
	}
	if m.n < len(m.inline) {
		m.inline[m.n] = name
		m.n++
		return nil
	}
	m.many = make(map[string]struct{}, 2*inlineKeys)
	for _, seen := range m.inline {
		m.many[foldName(seen)] = struct{}{}
	}
	return m.addFolded(name)
}

func (m *memberNames) addFolded(name string) error {
	f := foldName(name)
	if _, dup := m.many[f]; dup {
		return errJSONDuplicate
	}
	m.many[f] = struct{}{}
	return nil
}

// foldName maps names that strings.EqualFold considers equal to one key
// (upper then lower case catches the special folds such as ſ and K).
func foldName(name string) string { return strings.ToLower(strings.ToUpper(name)) }
