package strictjson

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds nesting so a hostile token cannot exhaust the stack. The
// outermost container is at depth 1.
const maxDepth = 32

// inlineKeys is how many member names per object are compared pairwise
// before switching to a map, keeping the duplicate check linear for large
// objects an attacker might send.
const inlineKeys = 24

// Kind is the JSON type of a value.
type Kind uint8

// The kinds Next reports.
const (
	String Kind = iota + 1
	Number
	Object
	Array
	Bool
	Null
)

// The errors a scan ends with. Their texts appear in refusal details
// ("header: malformed JSON"), so they say what is wrong, never what the
// text held.
var (
	ErrSyntax    = errors.New("malformed JSON")
	ErrDuplicate = errors.New("duplicate JSON member name")
	ErrDepth     = errors.New("JSON nested too deeply")
)

// Scanner reads one JSON text held in a string, so that every string
// value without escapes can be handed out as a substring, allocation free.
// Its zero value scans an empty text; make one with NewScanner.
type Scanner struct {
	s   string
	pos int
}

// NewScanner returns a scanner positioned at the start of text.
func NewScanner(text string) Scanner { return Scanner{s: text} }

func (sc *Scanner) skipSpace() {
	for sc.pos < len(sc.s) {
		switch sc.s[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

func (sc *Scanner) peek() byte {
	sc.skipSpace()
	if sc.pos >= len(sc.s) {
		return 0
	}
	return sc.s[sc.pos]
}

// Object reads the object at the scanner's position; depth is its own depth
// (1 for a top-level object). For each member, member is called with its
// unescaped name and must consume the value (with Next(depth)); when member
// is nil the values are validated and skipped.
func (sc *Scanner) Object(depth int, member func(name string) error) error {
	if depth > maxDepth {
		return ErrDepth
	}
	if sc.peek() != '{' {
		return ErrSyntax
	}
	sc.pos++
	if sc.peek() == '}' {
		sc.pos++
		return nil
	}
	var names memberNames
	for {
		if sc.peek() != '"' {
			return ErrSyntax
		}
		start := sc.pos
		escaped, err := sc.str()
		if err != nil {
			return err
		}
		name := content(sc.s[start:sc.pos], escaped)
		if err := names.add(name); err != nil {
			return err
		}
		if sc.peek() != ':' {
			return ErrSyntax
		}
		sc.pos++
		if member != nil {
			err = member(name)
		} else {
			_, _, err = sc.Next(depth)
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
			return ErrSyntax
		}
	}
}

// Array reads the array at the scanner's position, calling elem for each
// element; elem must consume it (with Next(depth)). A nil elem validates
// and skips. depth is as for Object.
func (sc *Scanner) Array(depth int, elem func() error) error {
	if depth > maxDepth {
		return ErrDepth
	}
	if sc.peek() != '[' {
		return ErrSyntax
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
			_, _, err = sc.Next(depth)
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
			return ErrSyntax
		}
	}
}

// Next validates and consumes one value, returning its kind and raw text.
// depth is the depth of the container holding the value (0 for a top-level
// value).
func (sc *Scanner) Next(depth int) (Kind, string, error) {
	c := sc.peek()
	start := sc.pos
	var kind Kind
	var err error
	switch {
	case c == '"':
		kind = String
		_, err = sc.str()
	case c == '{':
		kind = Object
		err = sc.Object(depth+1, nil)
	case c == '[':
		kind = Array
		err = sc.Array(depth+1, nil)
	case c == 't':
		kind, err = Bool, sc.literal("true")
	case c == 'f':
		kind, err = Bool, sc.literal("false")
	case c == 'n':
		kind, err = Null, sc.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		kind, err = Number, sc.number()
	default:
		err = ErrSyntax
	}
	if err != nil {
		return 0, "", err
	}
	return kind, sc.s[start:sc.pos], nil
}

func (sc *Scanner) literal(word string) error {
	if !strings.HasPrefix(sc.s[sc.pos:], word) {
		return ErrSyntax
	}
	sc.pos += len(word)
	return nil
}

// number follows the JSON grammar exactly: no leading zeros, no "+", no
// bare ".", digits required after "." and "e".
func (sc *Scanner) number() error {
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
		return ErrSyntax
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return ErrSyntax
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
			return ErrSyntax
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
func (sc *Scanner) str() (escaped bool, err error) {
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
				return false, ErrSyntax
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					return false, ErrSyntax
				}
				i += 6
			default:
				return false, ErrSyntax
			}
		case c < 0x20:
			return false, ErrSyntax
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return false, ErrSyntax
			}
			i += size
		}
	}
	return false, ErrSyntax
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		if strings.IndexByte("0123456789abcdefABCDEF", s[i]) < 0 {
			return false
		}
	}
	return true
}

// StringContent returns the text of a string value as Next returned it
// (quoted and validated): a substring of the scanned text unless it holds
// an escape.
func StringContent(raw string) string {
	return content(raw, strings.IndexByte(raw, '\\') >= 0)
}

// content returns the text of a validated, quoted JSON string. Escapes are
// rare in tokens, so only then is encoding/json asked to unescape (and
// memory allocated).
func content(quoted string, escaped bool) string {
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
// compared case-insensitively because encoding/json, which may read the
// same text later (the core's Auth.DecodeClaims does), matches struct
// fields that way: {"role":…,"Role":…} would otherwise let the second
// silently win.
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
			return ErrDuplicate
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
		return ErrDuplicate
	}
	m.many[f] = struct{}{}
	return nil
}

// foldName maps names that strings.EqualFold considers equal to one key
// (upper then lower case catches the special folds such as ſ and K).
func foldName(name string) string { return strings.ToLower(strings.ToUpper(name)) }

// AtEnd reports whether only white space is left: anything after the
// top-level value is trailing data, which callers refuse.
func (sc *Scanner) AtEnd() bool {
	sc.skipSpace()
	return sc.pos == len(sc.s)
}
