package strictjson

// ReadString stores the text of a string value in dst, reporting false
// (and leaving dst alone) when the value is of another kind. kind and raw
// are what Next returned.
func ReadString(kind Kind, raw string, dst *string) bool {
	if kind != String {
		return false
	}
	*dst = StringContent(raw)
	return true
}

// ReadStrings appends the elements of an array of strings to dst,
// reporting false when the value is not an array or an element is not a
// string (the strings before it are kept). kind and raw are what Next
// returned.
func ReadStrings(kind Kind, raw string, dst *[]string) bool {
	if kind != Array {
		return false
	}
	ok := true
	sc := NewScanner(raw)
	// The depth never decides the answer: an array nested deeper than one
	// level holds an element that is not a string.
	err := sc.Array(2, func() error {
		kind, v, err := sc.Next(2)
		if err != nil {
			return err
		}
		var s string
		if ReadString(kind, v, &s) {
			*dst = append(*dst, s)
		} else {
			ok = false
		}
		return nil
	})
	return err == nil && ok
}
