package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// runOffline starts the emulator with a caller and a callee machine, serves
// the machine route as the callee, and calls it as the caller.
func runOffline(ctx context.Context, stdout io.Writer) (err error) {
	emu := clerktest.NewServer()
	defer emu.Close()
	callee, err := emu.AddMachine(clerktest.Machine{Name: "demo-api"})
	if err != nil {
		return fmt.Errorf("adding the callee machine: %w", err)
	}
	caller, err := emu.AddMachine(clerktest.Machine{Name: "demo-worker", Scopes: []string{callee.ID}})
	if err != nil {
		return fmt.Errorf("adding the caller machine: %w", err)
	}
	target, stop, err := startService(ctx, emu)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stop()) }()

	_, _ = fmt.Fprintf(stdout, "offline: Clerk emulator at %s (set %s and %s to call a real service)\n",
		emu.URL, clerk.EnvMachineSecretKey, EnvTargetURL)
	_, _ = fmt.Fprintf(stdout, "caller machine %s (demo-worker) may call %s (demo-api), which serves %s\n",
		caller.ID, callee.ID, target)

	// What a worker of your own does, with NewM2MClientFromEnv instead.
	client, err := clerk.NewM2MClient(caller.SecretKey, clerk.WithAPIURL(emu.URL))
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	if _, err := callTarget(ctx, client, target, stdout); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stdout, "the emulator received %d create request(s)\n", emu.Requests(clerktest.EndpointCreateM2MToken))
	return nil
}

// startService serves the examples' machine route on loopback as the
// callee would, verifying tokens with the emulator instance's keys and,
// for opaque tokens, its Backend API. It returns the route's URL and a
// function that stops the server, waits for it and returns its error.
func startService(ctx context.Context, emu *clerktest.Server) (string, func() error, error) {
	client, err := clerk.NewClient(emu.SecretKey(), clerk.WithAPIURL(emu.URL))
	if err != nil {
		return "", nil, err
	}
	authn, err := clerk.NewAuthenticator(clerk.WithClient(client), clerk.WithPublishableKey(emu.PublishableKey()))
	if err != nil {
		return "", nil, err
	}
	ln, err := demo.Listen(ctx, "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	serveCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- demo.Serve(serveCtx, ln, machineRoute(authn)) }()
	stop := func() error {
		cancel()
		err := <-done // Serve returns once in-flight requests have finished
		client.CloseIdleConnections()
		return err
	}
	return demo.BaseURL(ln.Addr()) + demo.MachinePath, stop, nil
}

// machineRoute is the examples' GET /api/machine in net/http: M2M tokens
// and API keys accepted, anything else 401, the caller described in the
// same body as every framework's example.
func machineRoute(authn *clerk.Authenticator) http.Handler {
	answer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, _ := clerk.AuthFromContext(r.Context())
		w.Header().Set("Content-Type", demo.JSONContentType)
		_, _ = w.Write(demo.MachineBody(auth))
	})
	mux := http.NewServeMux()
	mux.Handle("GET "+demo.MachinePath,
		clerk.Middleware(authn, demo.MachineTokenTypes()...)(clerk.RequireAuthenticated()(answer)))
	return mux
}
