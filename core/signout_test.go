package clerk_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// heldMintAPI answers the first token request only when release closes, and
// every later one at once; arrivals reports each request as it comes in.
type heldMintAPI struct {
	*fakeAPI
	arrivals chan int
	release  chan struct{}
}

func newHeldMintAPI(t *testing.T) *heldMintAPI {
	h := &heldMintAPI{arrivals: make(chan int, 8), release: make(chan struct{})}
	now := time.Now()
	replies := make([]reply, 0, 8)
	for i := range 8 {
		replies = append(replies, func(w http.ResponseWriter, r *http.Request) {
			h.arrivals <- i
			if i == 0 {
				<-h.release
			}
			tokenReply(jwtWithTimes(now, now.Add(time.Minute), "mint-"+string(rune('A'+i))))(w, r)
		})
	}
	h.fakeAPI = newFakeAPI(t, replies...)
	return h
}

// secondRequestOrJoin waits until the call started after the first one
// either sends a request of its own (true) or joins the one in flight
// (false). Exactly one of the two happens; no timing is involved.
func secondRequestOrJoin(t *testing.T, h *heldMintAPI, c *clerk.Client) bool {
	t.Helper()
	for {
		select {
		case <-h.arrivals:
			return true
		default:
		}
		if c.TokenStats().Coalesced > 0 {
			return false
		}
		runtime.Gosched()
	}
}

type tokenResult struct {
	tok *clerk.Token
	err error
}

func getTokenAsync(ctx context.Context, c *clerk.Client, opts ...clerk.TokenOption) <-chan tokenResult {
	out := make(chan tokenResult, 1)
	go func() {
		tok, err := c.GetToken(ctx, "sess_1", "supabase", opts...)
		out <- tokenResult{tok, err}
	}()
	return out
}

func TestGetTokenAfterInvalidateSessionDoesNotJoinEarlierMint(t *testing.T) {
	for _, withCache := range []bool{false, true} {
		t.Run(map[bool]string{false: "no cache", true: "memory cache"}[withCache], func(t *testing.T) {
			h := newHeldMintAPI(t)
			c := newTestClient(t, h.fakeAPI)
			if withCache {
				c, _ = newCachingClient(t, h.fakeAPI)
			}
			ctx := context.Background()
			before := getTokenAsync(ctx, c)
			<-h.arrivals // the first mint is at Clerk

			c.InvalidateSession(ctx, "sess_1")
			after := getTokenAsync(ctx, c)
			if !secondRequestOrJoin(t, h, c) {
				close(h.release)
				t.Fatal("a GetToken that started after InvalidateSession joined a mint that began before it")
			}
			res := <-after
			close(h.release)
			if res.err != nil {
				t.Fatal(res.err)
			}
			if got := marker(t, res.tok); got != "mint-B" {
				t.Fatalf("call after sign-out got %s, want its own mint-B", got)
			}
			if r := <-before; r.err != nil || marker(t, r.tok) != "mint-A" {
				t.Fatalf("the earlier caller should still get its own token: %v %v", r.tok, r.err)
			}
			// The token minted across the sign-out is not reused later.
			if withCache {
				tok, err := c.GetToken(ctx, "sess_1", "supabase")
				if err != nil || marker(t, tok) != "mint-B" {
					t.Fatalf("after both mints the cache should hold mint-B: %v %v", tok, err)
				}
			}
		})
	}
}

func TestWithoutCacheNeverJoinsAnEarlierMint(t *testing.T) {
	h := newHeldMintAPI(t)
	c, _ := newCachingClient(t, h.fakeAPI)
	ctx := context.Background()
	before := getTokenAsync(ctx, c)
	<-h.arrivals

	forced := getTokenAsync(ctx, c, clerk.WithoutCache())
	if !secondRequestOrJoin(t, h, c) {
		close(h.release)
		t.Fatal("WithoutCache joined a mint that began before the call")
	}
	res := <-forced
	close(h.release)
	if res.err != nil || marker(t, res.tok) != "mint-B" {
		t.Fatalf("WithoutCache got %v %v, want its own mint-B", res.tok, res.err)
	}
	if r := <-before; r.err != nil || marker(t, r.tok) != "mint-A" {
		t.Fatalf("the earlier caller should get mint-A: %v %v", r.tok, r.err)
	}
}

// marker reads the "m" claim jwtWithTimes put in the token.
func marker(t *testing.T, tok *clerk.Token) string {
	t.Helper()
	if tok == nil {
		return "<nil>"
	}
	parts := strings.Split(tok.JWT, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		M string `json:"m"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.M
}
