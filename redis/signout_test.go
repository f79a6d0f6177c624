package clerkredis_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/redis/go-redis/v9"
)

// Sign-out must be final: in this process (a read that starts after
// InvalidateSession never shares an earlier one), across replicas (a mint
// that began before a sign-out elsewhere is not stored), and against
// anyone who can write to Redis (a deleted, lowered or planted generation
// never makes an older value valid again).

// readPause holds the first MGET after arm, once Redis has answered it,
// until release is closed; later MGETs pass and are reported on others.
type readPause struct {
	armed    atomic.Bool
	answered chan struct{}
	release  chan struct{}
	others   chan struct{}
}

func newReadPause() *readPause {
	return &readPause{answered: make(chan struct{}), release: make(chan struct{}), others: make(chan struct{}, 1)}
}

func (p *readPause) DialHook(next redis.DialHook) redis.DialHook { return next }

func (p *readPause) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (p *readPause) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if cmd.Name() != "mget" {
			return err
		}
		if p.armed.CompareAndSwap(true, false) {
			close(p.answered)
			<-p.release
			return err
		}
		select {
		case p.others <- struct{}{}:
		default:
		}
		return err
	}
}

// doneWatch is a context that reports the first time its Done is asked
// for. Get consults its context only once it has decided whether to join a
// read in flight, so the report means that decision is made.
type doneWatch struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func newDoneWatch() *doneWatch {
	return &doneWatch{Context: context.Background(), asked: make(chan struct{})}
}

func (w *doneWatch) Done() <-chan struct{} {
	w.once.Do(func() { close(w.asked) })
	return w.Context.Done()
}

type getResult struct {
	tok *clerk.Token
	ok  bool
}

func TestGetAfterInvalidateDoesNotJoinEarlierRead(t *testing.T) {
	f := newFixture(t)
	pause := newReadPause()
	rdb := newRedisClient(t, f.addr)
	rdb.AddHook(pause)
	c := f.cacheOn(t, rdb)
	key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
	f.cache(t).Set(ctx, key, token("before sign-out"), time.Now().Add(time.Minute))

	// A Get reads the token, and is held with the answer in hand.
	pause.armed.Store(true)
	first := make(chan getResult, 1)
	go func() {
		tok, ok := c.Get(ctx, key)
		first <- getResult{tok, ok}
	}()
	<-pause.answered
	c.InvalidateSession(ctx, key.SessionID)

	// A Get that starts now either joins the held read or reads anew; the
	// held read goes on only once that is decided.
	watch := newDoneWatch()
	second := make(chan getResult, 1)
	go func() {
		tok, ok := c.Get(watch, key)
		second <- getResult{tok, ok}
	}()
	select {
	case <-watch.asked:
	case <-pause.others:
	}
	close(pause.release)
	<-first // began before the sign-out: either answer is allowed
	if r := <-second; r.ok {
		t.Fatal("a Get that started after InvalidateSession returned the token read before it")
	}
}

// heldMints holds every token request to Clerk until release is closed,
// reporting each arrival first.
type heldMints struct {
	next    http.RoundTripper
	arrived chan struct{}
	release chan struct{}
}

func newHeldMints(t *testing.T) *heldMints {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &heldMints{next: tr, arrived: make(chan struct{}, 8), release: make(chan struct{})}
}

func (h *heldMints) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/tokens") {
		h.arrived <- struct{}{}
		<-h.release
	}
	return h.next.RoundTrip(r)
}

// A replica mints without the mint lock; meanwhile another replica signs
// the session out. The token is handed to its caller but never stored.
func TestUnlockedMintAcrossSignOutIsNotStored(t *testing.T) {
	for _, path := range []struct {
		name string
		// prepare makes the mint take no lock, through the Client's and
		// the call's options.
		prepare func(t *testing.T, f fixture, key clerk.TokenKey) ([]clerk.ClientOption, []clerk.TokenOption)
	}{
		{"WithoutCache", func(*testing.T, fixture, clerk.TokenKey) ([]clerk.ClientOption, []clerk.TokenOption) {
			return nil, []clerk.TokenOption{clerk.WithoutCache()}
		}},
		{"waiter that gave up", func(t *testing.T, f fixture, key clerk.TokenKey) ([]clerk.ClientOption, []clerk.TokenOption) {
			// A third replica claims the mint and never stores: the
			// Client waits out its lock TTL (5 s), then mints unlocked.
			if _, ok, err := f.cache(t).LockMint(ctx, key, time.Minute); !ok || err != nil {
				t.Fatalf("LockMint = %v, %v", ok, err)
			}
			return nil, nil
		}},
	} {
		t.Run(path.name, func(t *testing.T) {
			f := newFixture(t)
			srv, sess := emulator(t)
			key := clerk.TokenKey{SessionID: sess, Template: "test"}
			clientOpts, tokenOpts := path.prepare(t, f, key)
			held := newHeldMints(t)
			minterCache, otherCache := f.cache(t), f.cache(t)
			minter := newClient(t, srv, minterCache, append(clientOpts, clerk.WithHTTPClient(&http.Client{Transport: held}))...)
			other := newClient(t, srv, otherCache)

			minted := make(chan error, 1)
			go func() {
				_, err := minter.GetToken(ctx, sess, "test", tokenOpts...)
				minted <- err
			}()
			<-held.arrived // the mint has begun
			other.InvalidateSession(ctx, sess)
			close(held.release)
			if err := <-minted; err != nil {
				t.Fatal(err)
			}
			for name, c := range map[string]interface {
				Get(context.Context, clerk.TokenKey) (*clerk.Token, bool)
			}{"the replica that signed out": otherCache, "the minting replica": minterCache} {
				if _, ok := c.Get(ctx, key); ok {
					t.Errorf("%s serves a token minted across the sign-out", name)
				}
			}
		})
	}
}

// signedOutSession stores a token for key, checks that another replica
// serves it, signs the session out and returns the raw Redis client.
func signedOutSession(t *testing.T, f fixture, key clerk.TokenKey, before func()) *redis.Client {
	t.Helper()
	writer, reader := f.cache(t), f.cache(t)
	if before != nil {
		before()
	}
	writer.Set(ctx, key, token("before sign-out"), time.Now().Add(time.Minute))
	if _, ok := reader.Get(ctx, key); !ok {
		t.Fatal("the token is not served before the sign-out")
	}
	reader.InvalidateSession(ctx, key.SessionID)
	if _, ok := reader.Get(ctx, key); ok {
		t.Fatal("the token is served after the sign-out")
	}
	return newRedisClient(t, f.addr)
}

func TestDeletedGenerationDoesNotResurrectTokens(t *testing.T) {
	f := newFixture(t)
	key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
	rdb := signedOutSession(t, f, key, nil)
	rdb.Del(ctx, f.rawKey(t, ":gen"))
	c := f.cache(t)
	if _, ok := c.Get(ctx, key); ok {
		t.Fatal("deleting the session's generation brought a signed-out token back")
	}
	// Nor does the generation the session's next token creates.
	c.Set(ctx, clerk.TokenKey{SessionID: "sess_1", Template: "other"}, token("after"), time.Now().Add(time.Minute))
	if _, ok := c.Get(ctx, key); ok {
		t.Fatal("a new generation after the deletion brought a signed-out token back")
	}
}

// An attacker who can write to Redis but not read it writes back a lower
// generation, or any value it can guess.
func TestLoweredGenerationDoesNotResurrectTokens(t *testing.T) {
	f := newFixture(t)
	key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
	// Two earlier sign-outs, so that "lower" is not merely "zero".
	rdb := signedOutSession(t, f, key, func() {
		c := f.cache(t)
		c.InvalidateSession(ctx, key.SessionID)
		c.InvalidateSession(ctx, key.SessionID)
	})
	genKey := f.rawKey(t, ":gen")
	c := f.cache(t)
	for _, guess := range []string{"0", "1", "2", "3", "4", "5", "", "-1"} {
		if err := rdb.Set(ctx, genKey, guess, redis.KeepTTL).Err(); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Get(ctx, key); ok {
			t.Fatalf("generation %q brought a signed-out token back", guess)
		}
	}
}

// An attacker who can write to Redis plants a generation it knows before
// the session's tokens are stored, and puts it back after the sign-out.
func TestPlantedGenerationDoesNotResurrectTokens(t *testing.T) {
	for name, planted := range map[string]string{
		"counter":      "7",
		"nonce-shaped": strings.Repeat("0", 64),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
			rdb := newRedisClient(t, f.addr)
			signedOutSession(t, f, key, func() {
				// The session's generation key exists once the session
				// was signed out; the attacker then overwrites it.
				f.cache(t).InvalidateSession(ctx, key.SessionID)
				if err := rdb.Set(ctx, f.rawKey(t, ":gen"), planted, time.Hour).Err(); err != nil {
					t.Fatal(err)
				}
			})
			if err := rdb.Set(ctx, f.rawKey(t, ":gen"), planted, time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			if _, ok := f.cache(t).Get(ctx, key); ok {
				t.Fatal("a planted generation, put back after the sign-out, brought a signed-out token back")
			}
		})
	}
}
