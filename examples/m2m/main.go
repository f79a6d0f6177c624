// Command m2m is the machine half of getToken: a worker that calls another
// service with a Clerk M2M token, minted once by a token source and reused
// on every call.
//
//	go run ./examples/m2m
//
// Without CLERK_MACHINE_SECRET_KEY it runs offline: it starts the Clerk
// emulator in-process, adds a caller and a callee machine, serves the
// examples' machine route (GET /api/machine) on loopback, and calls it a few
// times. With CLERK_MACHINE_SECRET_KEY set it mints from Clerk and calls
// M2M_TARGET_URL instead. It prints what it did, never a token.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	clerk "github.com/clerkkit/clerkkit/core"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "m2m:", err)
		stop()
		os.Exit(1) //nolint:gocritic // stop has run; nothing else is deferred
	}
}

// run chooses the mode from getenv and makes the calls. getenv decides the
// mode and the target, so a test can force offline mode whatever the
// shell holds; real mode builds its client with NewM2MClientFromEnv, as a
// service of your own would, which reads the process environment.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	if getenv(clerk.EnvMachineSecretKey) != "" {
		return runReal(ctx, getenv, stdout)
	}
	return runOffline(ctx, stdout)
}
