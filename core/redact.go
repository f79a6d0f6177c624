package clerk

import "fmt"

// writeRedacted answers any fmt verb with s, a value's redacted form. A
// Format method is the only hook fmt calls for every verb: String and
// GoString cover %v, %s and %#v alone, and for %d, %x, %t and the rest fmt
// would print the struct's fields, token included. %q quotes s; every
// other verb prints it as %s would, with the caller's flags, width and
// precision.
func writeRedacted(f fmt.State, verb rune, s string) {
	if verb != 'q' {
		verb = 's'
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), s)
}
