package clerkfiber

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/valyala/fasthttp"
)

// carrier is the clerk.Carrier Middleware hands the core: it reads the
// session token from fasthttp's request and returns a copy. fasthttp reuses
// the bytes behind Peek and Cookie for the next request once the handler
// returns, so a view of them kept anywhere (an Auth, a cache or flight-map
// key) would silently change into another request's token. Copying here,
// once, keeps that out of the core's hands whatever it keeps or shares, at
// the cost of one allocation the size of the header (about 1 KiB) per
// request that sends one. It holds the *fasthttp.Request rather than the
// fiber.Ctx so each read is a direct call, not one through the interface.
type carrier struct{ req *fasthttp.Request }

var _ clerk.Carrier = carrier{}

func (s carrier) Header(name string) string {
	return string(s.req.Header.Peek(name))
}

func (s carrier) Cookie(name string) (string, bool) {
	v := s.req.Header.Cookie(name)
	if v == nil {
		return "", false
	}
	return string(v), true
}
