package clerk

import "strings"

// Scopes of features and plans, as Clerk writes them in the fea and pla
// claims ("o:", "u:", "ou:"/"uo:") and accepts them in a query.
type entitlementScope uint8

const (
	scopeUnknown entitlementScope = iota
	scopeOrg
	scopeUser
)

func scopeOf(s string) entitlementScope {
	switch s {
	case "o", "org", "organization":
		return scopeOrg
	case "u", "user":
		return scopeUser
	}
	return scopeUnknown
}

// entitled answers has({feature}) or has({plan}) against a fea or pla
// claim, with Clerk's rules to the letter: the query's optional scope is
// what comes before its first colon and the name what follows, up to any
// second colon; without a scope either list may hold it; an empty claim,
// an unknown query scope or a claim element without a colon fails.
func entitled(claim, query string) bool {
	if claim == "" {
		return false
	}
	scope, name, explicit := strings.Cut(query, ":")
	want := scopeUnknown
	if explicit {
		if want = scopeOf(scope); want == scopeUnknown {
			return false
		}
		name, _, _ = strings.Cut(name, ":")
		if name == "" {
			name = scope // Clerk reads "o:" as the name "o"
		}
	} else {
		name = scope
	}
	found := false
	for rest, more := claim, true; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		part = jsTrim(part)
		s, value, ok := strings.Cut(part, ":")
		if !ok {
			return false // Clerk refuses the whole claim
		}
		if value != name || found {
			continue
		}
		switch s {
		case "o":
			found = want != scopeUser
		case "u":
			found = want != scopeOrg
		case "ou", "uo":
			found = true
		}
	}
	return found
}

// freshEnough answers has({reverification}) against the fva claim
// [first-factor minutes, second-factor minutes], -1 meaning never, as
// Clerk computes it.
func freshEnough(fva [2]int64, level ReverificationLevel, afterMinutes int64) bool {
	first, second := fva[0], fva[1]
	if !validAge(first) || !validAge(second) || (first == -1 && second == -1) {
		return false
	}
	firstFresh := first != -1 && afterMinutes > first
	secondFresh := second != -1 && afterMinutes > second
	switch level {
	case FirstFactor:
		return firstFresh
	case SecondFactor:
		if second == -1 {
			return firstFresh
		}
		if first == -1 {
			return secondFresh
		}
		return secondFresh
	case MultiFactor:
		if second == -1 {
			return firstFresh
		}
		if first == -1 {
			return false
		}
		return firstFresh && secondFresh
	}
	return false
}

func validAge(minutes int64) bool { return minutes == -1 || minutes >= 0 }
