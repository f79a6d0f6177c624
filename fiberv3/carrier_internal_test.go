package clerkfiber

import (
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// TestCarrierOwnsItsStrings checks what the middleware hands the core:
// the Authorization header and the session cookie must be the adapter's
// own strings, not views of fasthttp's buffers, so that nothing the core
// keeps (an Auth, a cache or flight-map key) can ever change under it. It
// is an internal test because no public result shows a view today: the
// core happens to copy what it keeps, and the adapter must not depend on
// that.
//
// One RequestCtx serves every request, as a fasthttp worker does, so each
// request's header and cookie are written into the memory the previous
// request's occupied. The tokens have equal length, so a view would not
// fail loudly but silently read as the next request's token.
func TestCarrierOwnsItsStrings(t *testing.T) {
	type seen struct {
		header, cookie string
		cookieSent     bool
	}
	var kept []seen
	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error {
		src := carrier{c.Request()}
		cookie, ok := src.Cookie("__session")
		kept = append(kept, seen{header: src.Header("Authorization"), cookie: cookie, cookieSent: ok})
		return nil
	})
	handler := app.Handler()
	var ctx fasthttp.RequestCtx
	tokens := []string{"aaaa.bbbb.cccc", "dddd.eeee.ffff", "gggg.hhhh.iiii", "jjjj.kkkk.llll"}
	for _, tok := range tokens {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod(fasthttp.MethodGet)
		ctx.Request.SetRequestURI("/")
		ctx.Request.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+tok)
		ctx.Request.Header.SetCookie("__session", tok)
		handler(&ctx)
		if code := ctx.Response.StatusCode(); code != fiber.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	if len(kept) != len(tokens) {
		t.Fatalf("%d requests seen, want %d", len(kept), len(tokens))
	}
	for i, k := range kept {
		if k.header != "Bearer "+tokens[i] || k.cookie != tokens[i] || !k.cookieSent {
			t.Errorf("request %d: header %q, cookie %q (sent %t); the request sent %q: a view of a reused buffer",
				i, k.header, k.cookie, k.cookieSent, tokens[i])
		}
	}
}

// TestCarrierMissingCookie: a request without the cookie says so, which
// the core needs to tell "no cookie" from an empty one.
func TestCarrierMissingCookie(t *testing.T) {
	var sent []bool
	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error {
		v, ok := carrier{c.Request()}.Cookie("__session")
		if v != "" {
			t.Errorf("cookie %q", v)
		}
		sent = append(sent, ok)
		return nil
	})
	handler := app.Handler()
	var ctx fasthttp.RequestCtx
	for _, cookie := range []string{"", "__session="} {
		ctx.Request.Reset()
		ctx.Request.Header.SetMethod(fasthttp.MethodGet)
		ctx.Request.SetRequestURI("/")
		if cookie != "" {
			ctx.Request.Header.Set(fasthttp.HeaderCookie, cookie)
		}
		handler(&ctx)
	}
	if len(sent) != 2 || sent[0] || !sent[1] {
		t.Fatalf("cookie sent %v, want [false true]", sent)
	}
}
