// Package strictjson is a small JSON scanner for text an attacker chooses:
// the header and claims of a token before its signature is checked, and
// the answers of servers the library calls.
//
// It is used rather than encoding/json for three reasons: encoding/json
// keeps the last of two duplicate keys (so {"sub":"a","sub":"b"} would mean
// whatever the last parser to read it decides), it matches struct fields
// case-insensitively ("SUB" would fill sub), and it accepts invalid UTF-8.
// The scanner rejects all three (it compares member names without regard
// to case), bounds nesting, validates a whole value before anything in it
// is used, and hands out string values as substrings of the text, so the
// claims of a token can be read without a map and without allocating. The
// caller refuses trailing data with AtEnd.
//
// It is internal because its API serves the core's token parsers, whose
// refusal details quote its error texts; it is not a general JSON library.
package strictjson
