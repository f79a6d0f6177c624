package clerkecho_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkecho "github.com/clerkkit/clerkkit/echo"
	"github.com/labstack/echo/v4"
)

// rawJSON is an HTTPError message that marshals itself.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// ErrorHandler answers RequireAuth's refusals in Clerk's shape and every
// other error as echo's default handler would, minus the newline.
func TestErrorHandler(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	var logs bytes.Buffer
	e.Logger.SetOutput(&logs)
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.Use(clerkecho.Middleware(r.Auth))
	ok := func(c echo.Context) error { return c.String(200, "in") }
	e.Match([]string{http.MethodGet, http.MethodHead}, "/private", ok, clerkecho.RequireAuth())
	e.GET("/admin", ok, clerkecho.RequireAuth(clerk.Role("admin")))
	e.GET("/boom", func(echo.Context) error { return errors.New("db password is hunter2") })
	e.GET("/teapot", func(echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short and stout") })
	e.GET("/wrapped", func(echo.Context) error {
		return fmt.Errorf("loading: %w", echo.NewHTTPError(http.StatusConflict, "taken"))
	})
	e.GET("/inner", func(echo.Context) error {
		return echo.NewHTTPError(http.StatusBadRequest, "outer").SetInternal(echo.NewHTTPError(http.StatusUnprocessableEntity, "inner"))
	})
	e.GET("/error-message", func(echo.Context) error {
		return echo.NewHTTPError(http.StatusBadRequest, errors.New("bad input"))
	})
	e.GET("/marshaler", func(echo.Context) error {
		return echo.NewHTTPError(http.StatusBadRequest, rawJSON(`{"code":"x"}`))
	})
	e.GET("/map", func(echo.Context) error {
		return echo.NewHTTPError(http.StatusBadRequest, echo.Map{"field": "name"})
	})
	e.GET("/unmarshalable", func(echo.Context) error {
		return echo.NewHTTPError(http.StatusBadRequest, echo.Map{"f": func() {}})
	})
	e.GET("/committed", func(c echo.Context) error {
		_ = c.String(http.StatusAccepted, "partial")
		return errors.New("after the answer")
	})

	tests := []struct {
		path, header string
		code         int
		want         string
	}{
		{"/private", "", 401, clerk.UnauthorizedJSON},
		{"/admin", "", 401, clerk.UnauthorizedJSON},
		{"/admin", r.OrgToken(t, "member"), 403, clerk.ForbiddenJSON},
		{"/boom", "", 500, `{"message":"Internal Server Error"}`},
		{"/nowhere", "", 404, `{"message":"Not Found"}`},
		{"/teapot", "", 418, `{"message":"short and stout"}`},
		{"/wrapped", "", 409, `{"message":"taken"}`},
		{"/inner", "", 422, `{"message":"inner"}`},
		{"/error-message", "", 400, `{"message":"bad input"}`},
		{"/marshaler", "", 400, `{"code":"x"}`},
		{"/map", "", 400, `{"field":"name"}`},
		{"/unmarshalable", "", 400, ``},
		{"/committed", "", 202, `partial`},
	}
	for _, tt := range tests {
		var header http.Header
		if tt.header != "" {
			header = bearer(tt.header)
		}
		w := serve(e, tt.path, header)
		if w.Code != tt.code || w.Body.String() != tt.want {
			t.Errorf("%s: %d %q, want %d %q", tt.path, w.Code, w.Body, tt.code, tt.want)
		}
		if ct := w.Header().Get("Content-Type"); tt.want != "" && tt.path != "/committed" && ct != "application/json" {
			t.Errorf("%s: Content-Type %q", tt.path, ct)
		}
	}

	if !strings.Contains(logs.String(), "unsupported type") {
		t.Errorf("the message that does not marshal was not logged: %q", logs.String())
	}
	if w := serveMethod(e, http.MethodHead, "/private", nil); w.Code != 401 || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d %q", w.Code, w.Body)
	}
}

// In Debug mode echo's default handler adds the error's text, and so does
// ErrorHandler; outside it the text stays out (TestErrorHandler's /boom).
func TestErrorHandlerDebug(t *testing.T) {
	e := echo.New()
	e.Debug = true
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.GET("/boom", func(echo.Context) error { return errors.New("db unreachable") })
	w := serve(e, "/boom", nil)
	if want := `{"error":"db unreachable","message":"Internal Server Error"}`; w.Code != 500 || w.Body.String() != want {
		t.Fatalf("%d %q, want %q", w.Code, w.Body, want)
	}
}
