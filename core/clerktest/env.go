package clerktest

import "testing"

// Env returns the environment variables that point a service configured
// the way Clerk's SDKs are (and clerk.NewClientFromEnv with
// clerk.NewAuthenticatorFromEnv) at this emulator:
//
//	CLERK_SECRET_KEY       SecretKey()
//	CLERK_API_URL          URL, the Backend API
//	CLERK_PUBLISHABLE_KEY  PublishableKey(), for the issuer check and cookies
//
// CLERK_JWT_KEY is left out: without it the keys are fetched from the
// emulator's GET /v1/jwks, as a service without one does from Clerk. Set
// it to PublicKeyPEM() for networkless verification.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"CLERK_SECRET_KEY":      s.secretKey,
		"CLERK_API_URL":         s.URL,
		"CLERK_PUBLISHABLE_KEY": s.publishableKey,
	}
}

// SetEnv sets Env's variables for the rest of tb's test with tb.Setenv, and
// CLERK_JWT_KEY, CLERK_AUTHORIZED_PARTIES and CLERK_API_VERSION to empty
// (which the constructors read as unset), so that values from the
// developer's shell, such as another instance's key, cannot leak into the
// test. Like tb.Setenv it cannot be used in parallel tests.
func (s *Server) SetEnv(tb testing.TB) {
	tb.Helper()
	for name, value := range s.Env() {
		tb.Setenv(name, value)
	}
	for _, name := range []string{"CLERK_JWT_KEY", "CLERK_AUTHORIZED_PARTIES", "CLERK_API_VERSION"} {
		tb.Setenv(name, "")
	}
}
