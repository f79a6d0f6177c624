package demo

import (
	"context"
	clerk "github.com/clerkkit/clerkkit/core"
	"log/slog"
	"net/http"
	"time"
)

// SessionTokenHandler answers GET with a fresh demo session token as plain
// text. It exists only offline: a real Clerk instance's session tokens come
// from its front end, never from a server.
func (a *App) SessionTokenHandler() (http.Handler, error) {
	if a.Offline == nil {
		return nil, ErrOnlyOffline
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		token, err := a.Offline.SessionToken()
		if err != nil {
			a.Logger.Error("minting a demo session token", "error", err)
			http.Error(w, "could not mint a session token", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(token))
	}), nil
}

// LogRequests writes one slog record per request: method, path, status and
// duration. Never headers: they carry session tokens.
func LogRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		LogRequest(r.Context(), logger, r.Method, r.URL.Path, rec.status, time.Since(start))
	})
}

// LogRequest is the one request log line every example writes.
func LogRequest(ctx context.Context, logger *slog.Logger, method, path string, status int, took time.Duration) {
	logger.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Duration("took", took),
	)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Session is the body of SessionPath: who is signed in.
type Session struct {
	UserID    string `json:"userId"`
	SessionID string `json:"sessionId"`
	OrgID     string `json:"orgId,omitempty"`
}

// SessionOf describes a signed-in Auth.
func SessionOf(auth *clerk.Auth) Session {
	return Session{UserID: auth.UserID(), SessionID: auth.SessionID(), OrgID: auth.OrgID()}
}

// PagesUnauthorized is the Pages Router example's 401 body, which differs
// from the App Router's {"message":"Unauthorized"}.
var PagesUnauthorized = map[string]string{"error": "Unauthorized"}
