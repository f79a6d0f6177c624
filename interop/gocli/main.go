// Command gocli exposes clerkkit's core (getToken, session token
// verification, request authentication with machine callers included,
// authorization with Auth.Has and Authorize, and M2M token minting) to the
// interoperability tests in interop/test, which run Clerk's JavaScript SDK
// and this command side by side and compare what each reports.
//
//	CLERK_SECRET_KEY=sk_test_… CLERK_API_URL=http://127.0.0.1:4010 \
//	  gocli gettoken -session sess_… [-template test] [-expires-in 3600] [-retries]
//
//	CLERK_JWT_KEY="$(cat key.pem)" gocli verify < tokens
//
//	CLERK_SECRET_KEY=sk_test_… CLERK_API_URL=http://127.0.0.1:4010 \
//	  gocli authenticate -accepts m2m_token,api_key [-audience X] < requests
//
//	CLERK_JWT_KEY="$(cat key.pem)" gocli has [-accepts m2m_token,session_token] < checks
//
//	CLERK_MACHINE_SECRET_KEY=ak_… CLERK_API_URL=http://127.0.0.1:4010 \
//	  gocli m2m-create [-format opaque|jwt] [-lifetime 600] [-claims '{"k":"v"}'] [-min-remaining 60]
//
// Every outcome, success or refusal, is one JSON object on stdout (verify,
// authenticate and has: one per input line) and exit status 0: a refusal is a result to compare,
// not a failure of the command. Exit status 2 means the command was used
// wrongly.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: gocli gettoken [flags] | gocli verify [flags] < tokens | gocli authenticate [flags] < requests | gocli has [flags] < checks | gocli m2m-create [flags]")
		return 2
	}
	switch args[0] {
	case "gettoken":
		return getToken(args[1:], stdout, stderr)
	case "verify":
		return verify(args[1:], os.Stdin, stdout, stderr)
	case "authenticate":
		return authenticate(args[1:], os.Stdin, stdout, stderr)
	case "has":
		return has(args[1:], os.Stdin, stdout, stderr)
	case "m2m-create":
		return m2mCreate(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "gocli: unknown command %q\n", args[0])
	return 2
}
