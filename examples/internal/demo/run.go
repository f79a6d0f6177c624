package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// ServeFunc runs one framework's server on ln until ctx ends, then shuts it
// down gracefully.
type ServeFunc func(ctx context.Context, ln net.Listener, app *App) error

// WarmTimeout bounds the start-up check of the Clerk configuration.
const WarmTimeout = 10 * time.Second

// Main is the whole main function of an example: configure from the
// environment, check that Clerk answers, listen, print what to do next,
// serve until SIGINT or SIGTERM. Only serve differs between frameworks.
func Main(framework string, serve ServeFunc) {
	level := slog.LevelInfo
	if DebugReasons() {
		level = slog.LevelDebug // the Authenticator logs each refusal's reason at debug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := run(framework, serve, logger); err != nil {
		logger.Error("example stopped", "framework", framework, "error", err)
		os.Exit(1)
	}
}

func run(framework string, serve ServeFunc, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app, err := New(logger)
	if err != nil {
		return err
	}
	defer app.Close()
	warmCtx, cancel := context.WithTimeout(ctx, WarmTimeout)
	_ = app.Warm(warmCtx) // logged; the server still starts and /readyz says why
	cancel()
	ln, err := Listen(ctx, app.Addr)
	if err != nil {
		return err
	}
	if err := app.PrintBanner(os.Stdout, framework, BaseURL(ln.Addr())); err != nil {
		_ = ln.Close()
		return err
	}
	err = serve(ctx, ln, app)
	logger.Info("example stopped", "framework", framework)
	return err
}

// Listen listens on addr (App.Addr), naming the variables that set it when
// it cannot: a port in use is fixed by changing PORT, not by reading Go's
// listener error.
func Listen(ctx context.Context, addr string) (net.Listener, error) {
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", addr)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listening on %s: the port is in use; set %s to a free port: %w", addr, EnvPort, err)
	}
	return nil, fmt.Errorf("listening on %s (from %s and %s): %w", addr, EnvHost, EnvPort, err)
}
