package clerkfiber_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkfiber "github.com/clerkkit/clerkkit/fiberv3"
	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// reusedCtx serves every request through app's fasthttp handler on one
// RequestCtx, as a fasthttp worker does, so each request is written into
// the buffers of the one before and a kept string that is a view of them
// changes. app.Test takes its context from a pool, which may or may not
// hand the same one back (under -race it often does not).
type reusedCtx struct {
	handler fasthttp.RequestHandler
	ctx     fasthttp.RequestCtx
}

func newReusedCtx(app *fiber.App) *reusedCtx { return &reusedCtx{handler: app.Handler()} }

func (s *reusedCtx) serve(path string, header http.Header) result {
	s.ctx.Request.Reset()
	s.ctx.Response.Reset()
	s.ctx.Request.Header.SetMethod(fasthttp.MethodGet)
	s.ctx.Request.SetRequestURI(path)
	for name, values := range header {
		for _, v := range values {
			s.ctx.Request.Header.Add(name, v)
		}
	}
	s.handler(&s.ctx)
	return result{code: s.ctx.Response.StatusCode(), body: string(s.ctx.Response.Body())}
}

// users adds n users with a session each and returns their ids and tokens.
func (r *rig) users(t testing.TB, n int) (ids, tokens []string) {
	t.Helper()
	for i := range n {
		id := fmt.Sprintf("user_%d", i+10)
		if _, err := r.Server.AddUser(clerktest.User{ID: id}); err != nil {
			t.Fatal(err)
		}
		tok, err := r.Server.SessionToken(r.Server.CreateSession(id).ID)
		if err != nil {
			t.Fatal(err)
		}
		ids, tokens = append(ids, id), append(tokens, tok)
	}
	return ids, tokens
}

// TestValuesOutliveTheRequest keeps every Auth and minted token past its
// handler while fasthttp reuses one context and its buffers for the next
// requests (equal-length tokens, so a view into a reused buffer would
// silently show another user). Header and cookie paths both run.
func TestValuesOutliveTheRequest(t *testing.T) {
	r := newRig(t)
	ids, tokens := r.users(t, 6)
	type kept struct {
		auth    *clerk.Auth
		userID  string
		session string
		token   string
		jwt     string
		jwtCopy string
	}
	var keep []kept
	app := fiber.New()
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", func(c fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		k := kept{auth: auth, userID: auth.UserID(), session: auth.SessionID(), token: auth.Token()}
		if c.Query("mint") != "" {
			tok, err := clerkfiber.GetToken(c, r.Client, "test")
			if err != nil {
				return err
			}
			k.jwt, k.jwtCopy = tok.JWT, strings.Clone(tok.JWT)
		}
		keep = append(keep, k)
		return c.SendString(auth.UserID())
	})
	srv := newReusedCtx(app)
	const rounds = 5
	for round := range rounds {
		for i, tok := range tokens {
			header := bearer(tok)
			if (round+i)%2 == 1 {
				header = adaptertest.BrowserCookies(tok)
			}
			path := "/"
			if round == 0 {
				path = "/?mint=1"
			}
			if res := srv.serve(path, header); res.body != ids[i] {
				t.Fatalf("round %d: %q, want %q", round, res.body, ids[i])
			}
		}
	}
	if len(keep) != rounds*len(tokens) {
		t.Fatalf("%d requests kept", len(keep))
	}
	for n, k := range keep {
		i := n % len(tokens)
		if k.userID != ids[i] || k.auth.UserID() != ids[i] || k.token != tokens[i] || k.auth.Token() != tokens[i] ||
			k.auth.SessionID() != k.session || !strings.HasPrefix(k.session, "sess_") {
			t.Fatalf("request %d: kept values changed: user %q/%q, token equal %t", n, k.userID, k.auth.UserID(), k.auth.Token() == tokens[i])
		}
		if n < len(tokens) && (k.jwt != k.jwtCopy || strings.Count(k.jwt, ".") != 2) {
			t.Fatalf("minted token %d changed", n)
		}
	}
}

// keyRecorder is a TokenCache that never hits and keeps every key exactly
// as it was given, as any cache or flight map keyed by TokenKey does.
type keyRecorder struct {
	mu   sync.Mutex
	keys []clerk.TokenKey
}

func (k *keyRecorder) Get(context.Context, clerk.TokenKey) (*clerk.Token, bool) { return nil, false }

func (k *keyRecorder) Set(_ context.Context, key clerk.TokenKey, _ *clerk.Token, _ time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys = append(k.keys, key)
}

func (k *keyRecorder) InvalidateSession(context.Context, string) {}

func (k *keyRecorder) reset() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys = nil
}

func (k *keyRecorder) templates() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var names []string
	for _, key := range k.keys {
		names = append(names, key.Template)
	}
	return names
}

// TestTemplateOutlivesTheRequest passes GetToken and TokenHandler a
// template name taken from the path with c.Params, which fiber documents as
// valid only within the handler: the name becomes part of the token cache's
// key, so it must not change when the next request reuses the buffer it
// came from. Templates of equal length land on the same bytes.
func TestTemplateOutlivesTheRequest(t *testing.T) {
	r := newRig(t)
	if err := r.Server.AddTemplate(clerktest.Template{Name: "best", Claims: map[string]any{"uid": "{{user.id}}"}}); err != nil {
		t.Fatal(err)
	}
	rec := &keyRecorder{}
	client, err := clerk.NewClient(r.Server.SecretKey(), clerk.WithAPIURL(r.Server.URL), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}), clerk.WithTokenCache(rec))
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/handler/:template", func(c fiber.Ctx) error { return clerkfiber.TokenHandler(client, c.Params("template"))(c) })
	app.Get("/get/:template", func(c fiber.Ctx) error {
		if _, err := clerkfiber.GetToken(c, client, c.Params("template")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusOK)
	})
	srv := newReusedCtx(app)
	header := bearer(r.SessionToken(t))
	for _, route := range []string{"/handler/", "/get/"} {
		rec.reset()
		sent := []string{"test", "best", "test", "best"}
		for _, name := range sent {
			if res := srv.serve(route+name, header); res.code != fiber.StatusOK {
				t.Fatalf("%s%s: %d %s", route, name, res.code, res.body)
			}
		}
		if got := rec.templates(); strings.Join(got, " ") != strings.Join(sent, " ") {
			t.Fatalf("%s: cache keys name templates %q, the requests asked for %q", route, got, sent)
		}
	}
}
