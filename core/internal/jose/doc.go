// Package jose is the narrow JOSE layer of Clerk token verification: it
// splits and strictly decodes a compact JWS and reads its header (Parse),
// maps the accepted algorithms to their hash and checks an
// RSASSA-PKCS1-v1_5 signature (HashFor, VerifyPKCS1), converts NumericDate
// claims, and reads the keys a token may be signed with, from
// CLERK_JWT_KEY (ParsePublicKey) or a JSON Web Key Set (ParseJWKS).
//
// Everything here is pure (no I/O, no clock, no state) and reads text an
// attacker chooses, so each parser has a fuzz target. Policy stays with the
// caller: which token categories and types are accepted, how a failure is
// named, and what the claims mean. Errors say what is wrong with the form
// and never quote the token or the key set.
//
// It is internal so that session tokens and Clerk's other JWTs (such as
// machine tokens) can share one audited implementation without making it
// part of the module's public API.
package jose
