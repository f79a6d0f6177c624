package demo

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// ServeFunc runs one framework's server on ln until ctx ends, then shuts it
// down gracefully.
type ServeFunc func(ctx context.Context, ln net.Listener, app *App) error

// Main is the whole main function of an example: configure from the
// environment, listen, print what to do next, serve until SIGINT or
// SIGTERM. Only serve differs between frameworks.
func Main(framework string, serve ServeFunc) {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
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
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", app.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", app.Addr, err)
	}
	if err := app.PrintBanner(os.Stdout, framework, BaseURL(ln.Addr())); err != nil {
		_ = ln.Close()
		return err
	}
	err = serve(ctx, ln, app)
	logger.Info("example stopped", "framework", framework)
	return err
}
