package clerkecho_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkecho "github.com/clerkkit/clerkkit/echov5"
	"github.com/labstack/echo/v5"
)

// coded is an error that knows its status and its JSON, as echo v5
// lets an application's errors do.
type coded struct {
	status int
	json   string
}

func (e coded) Error() string                { return "coded" }
func (e coded) StatusCode() int              { return e.status }
func (e coded) MarshalJSON() ([]byte, error) { return []byte(e.json), nil }

// errorRoutes serves one route per kind of error an HTTPErrorHandler meets.
func errorRoutes(r *rig, handler echo.HTTPErrorHandler, logs *bytes.Buffer) *echo.Echo {
	e := echo.New()
	e.Logger = slog.New(slog.NewTextHandler(logs, nil))
	e.HTTPErrorHandler = handler
	e.Use(clerkecho.Middleware(r.Auth))
	ok := func(c *echo.Context) error { return c.String(200, "in") }
	e.Match([]string{http.MethodGet, http.MethodHead}, "/private", ok, clerkecho.RequireAuth())
	e.GET("/admin", ok, clerkecho.RequireAuth(clerk.Role("admin")))
	e.GET("/guard-wrapped", func(c *echo.Context) error {
		return fmt.Errorf("checking: %w", clerkecho.RequireAuth()(ok)(c))
	})
	e.GET("/boom", func(*echo.Context) error { return errors.New("db password is hunter2") })
	e.GET("/teapot", func(*echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short & stout") })
	e.GET("/no-message", func(*echo.Context) error { return echo.NewHTTPError(http.StatusConflict, "") })
	e.GET("/wrapped", func(*echo.Context) error {
		return fmt.Errorf("loading: %w", echo.NewHTTPError(http.StatusConflict, "taken"))
	})
	e.GET("/sentinel", func(*echo.Context) error { return echo.ErrTooManyRequests })
	e.GET("/sentinel-wrap", func(*echo.Context) error { return echo.ErrBadRequest.Wrap(errors.New("db password is hunter2")) })
	e.GET("/marshaler", func(*echo.Context) error { return fmt.Errorf("x: %w", coded{http.StatusBadRequest, `{"code": "x"}`}) })
	e.GET("/bad-json", func(*echo.Context) error { return coded{http.StatusBadRequest, `{`} })
	e.GET("/committed", func(c *echo.Context) error {
		_ = c.String(http.StatusAccepted, "partial")
		return errors.New("after the answer")
	})
	return e
}

// ErrorHandler answers every error as echo's DefaultHTTPErrorHandler(false)
// does, minus the newline: the guards' refusals in Clerk's shape, the
// status of any error that knows it, and no error text in the answer.
func TestErrorHandler(t *testing.T) {
	r := newRig(t)
	var logs, defaultLogs bytes.Buffer
	e := errorRoutes(r, clerkecho.ErrorHandler, &logs)
	echoDefault := errorRoutes(r, echo.DefaultHTTPErrorHandler(false), &defaultLogs)
	member := r.OrgToken(t, "member")

	tests := []struct {
		path, token string
		code        int
		want        string
		sameAsEcho  bool
	}{
		{"/private", "", 401, clerk.UnauthorizedJSON, true},
		{"/admin", "", 401, clerk.UnauthorizedJSON, true},
		{"/admin", member, 403, clerk.ForbiddenJSON, true},
		{"/guard-wrapped", "", 401, clerk.UnauthorizedJSON, true},
		{"/boom", "", 500, `{"message":"Internal Server Error"}`, true},
		{"/nowhere", "", 404, `{"message":"Not Found"}`, true},
		{"/teapot", "", 418, `{"message":"short \u0026 stout"}`, true},
		{"/no-message", "", 409, `{"message":"Conflict"}`, true},
		{"/wrapped", "", 409, `{"message":"taken"}`, true},
		{"/sentinel", "", 429, `{"message":"Too Many Requests"}`, true},
		{"/sentinel-wrap", "", 400, `{"message":"Bad Request"}`, true},
		{"/marshaler", "", 400, `{"code":"x"}`, true},
		// echo's default handler, its JSON refused, sends nothing at
		// all (a bare 200); ErrorHandler still answers the status.
		{"/bad-json", "", 400, ``, false},
		{"/committed", "", 202, `partial`, true},
	}
	for _, tt := range tests {
		var header http.Header
		if tt.token != "" {
			header = bearer(tt.token)
		}
		w := serve(e, tt.path, header)
		if w.Code != tt.code || w.Body.String() != tt.want {
			t.Errorf("%s: %d %q, want %d %q", tt.path, w.Code, w.Body, tt.code, tt.want)
		}
		if ct := w.Header().Get("Content-Type"); tt.want != "" && tt.path != "/committed" && ct != "application/json" {
			t.Errorf("%s: Content-Type %q", tt.path, ct)
		}
		if !tt.sameAsEcho {
			continue
		}
		want := tt.want + "\n"
		if tt.path == "/committed" {
			want = tt.want
		}
		if d := serve(echoDefault, tt.path, header); d.Code != w.Code || d.Body.String() != want {
			t.Errorf("%s: echo's default handler answers %d %q, ErrorHandler %d %q", tt.path, d.Code, d.Body, w.Code, w.Body)
		}
	}

	if !strings.Contains(logs.String(), "clerkecho: ErrorHandler could not send the answer") {
		t.Errorf("the error that does not marshal was not logged: %q", logs.String())
	}
	if w := serveMethod(e, http.MethodHead, "/private", nil); w.Code != 401 || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d %q", w.Code, w.Body)
	}
}
