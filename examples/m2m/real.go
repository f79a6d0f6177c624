package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	clerk "github.com/clerkkit/clerkkit/core"
)

// EnvTargetURL is the URL real mode calls: a service that accepts this
// machine's M2M tokens, such as another example's /api/machine.
const EnvTargetURL = "M2M_TARGET_URL"

// errNoTarget is real mode without EnvTargetURL.
var errNoTarget = errors.New(EnvTargetURL + " is required with " + clerk.EnvMachineSecretKey +
	": set it to the URL of a service that accepts this machine's M2M tokens")

// runReal mints from the Clerk instance of CLERK_MACHINE_SECRET_KEY (and
// CLERK_API_URL, when set) and calls EnvTargetURL.
func runReal(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	target := getenv(EnvTargetURL)
	if target == "" {
		return errNoTarget
	}
	if u, err := url.Parse(target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an http or https URL, got %q", EnvTargetURL, target)
	}
	client, err := clerk.NewM2MClientFromEnv()
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	_, _ = fmt.Fprintf(stdout, "calling %s with M2M tokens minted by Clerk\n", target)
	_, err = callTarget(ctx, client, target, stdout)
	return err
}
