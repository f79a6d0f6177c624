package demo

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// Probe routes every example serves.
const (
	// HealthzPath answers 200 while the process runs.
	HealthzPath = "/healthz"
	// ReadyzPath answers 200 once the Authenticator can verify tokens, else
	// 503 with the reason.
	ReadyzPath = "/readyz"
)

// ReadyMaxAge bounds how old the key set may be for /readyz to answer 200.
// The keys keep serving through a Clerk outage; an hour lets a replica
// ride out a short one without every replica leaving service at once.
const ReadyMaxAge = time.Hour

// Warm loads the Authenticator's keys now and, when it cannot, logs one
// line naming the cause and the variable to fix. With CLERK_JWT_KEY there
// is nothing to load.
func (a *App) Warm(ctx context.Context) error {
	err := a.Authenticator.Warm(ctx)
	if err != nil {
		cause, fix := Diagnose(err)
		a.Logger.LogAttrs(ctx, slog.LevelError, "Clerk is not usable: "+cause+"; check "+fix,
			slog.String("variable", fix), slog.String("error", err.Error()))
	}
	return err
}

// Diagnose turns a Warm error into words and the environment variable
// that most likely needs fixing.
func Diagnose(err error) (cause, variable string) {
	var redirect *clerk.RedirectError
	switch {
	case errors.Is(err, clerk.ErrUnauthorized):
		return "Clerk refused " + clerk.EnvSecretKey, clerk.EnvSecretKey
	case errors.Is(err, clerk.ErrTransport), errors.Is(err, context.DeadlineExceeded):
		return "the Backend API at " + apiURL() + " is unreachable", clerk.EnvAPIURL
	case errors.As(err, &redirect), errors.Is(err, clerk.ErrNotFound), errors.Is(err, clerk.ErrInvalidResponse):
		return "the server at " + apiURL() + " is not Clerk's Backend API", clerk.EnvAPIURL
	}
	return "the instance's keys could not be loaded", clerk.EnvAPIURL
}

func apiURL() string { return envOr(clerk.EnvAPIURL, clerk.DefaultAPIURL) }

// HealthzHandler answers 200 "ok": the process is up.
func (a *App) HealthzHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeProbe(w, http.StatusOK, "ok")
	})
}

// ReadyzHandler answers 200 "ready" when the Authenticator can verify
// tokens with keys at most ReadyMaxAge old, else 503 "not ready: <why>".
func (a *App) ReadyzHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if err := a.Authenticator.Ready(ReadyMaxAge); err != nil {
			writeProbe(w, http.StatusServiceUnavailable, err.Error())
			return
		}
		writeProbe(w, http.StatusOK, "ready")
	})
}

func writeProbe(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body + "\n"))
}
