package flight_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/clerkkit/clerkkit/core/internal/flight"
)

// blocked is work that counts its runs and waits for release or for its
// context to end.
type blocked struct {
	runs      atomic.Int64
	release   chan struct{}
	cancelled atomic.Int64
}

func newBlocked() *blocked { return &blocked{release: make(chan struct{})} }

func (b *blocked) fn(ctx context.Context, _ func(error)) (string, error) {
	n := b.runs.Add(1)
	select {
	case <-b.release:
		return "result-" + string(rune('0'+n)), nil
	case <-ctx.Done():
		b.cancelled.Add(1)
		return "", ctx.Err()
	}
}

func TestConcurrentCallersShareOneCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, string]
		work := newBlocked()
		const callers = 100
		var wg sync.WaitGroup
		var joined atomic.Int64
		results := make(chan string, callers)
		for range callers {
			wg.Go(func() {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				v, err, j := g.Do(ctx, "k", work.fn)
				if err != nil {
					t.Error(err)
				}
				if j {
					joined.Add(1)
				}
				results <- v
			})
		}
		synctest.Wait()
		close(work.release)
		wg.Wait()
		close(results)
		if n := work.runs.Load(); n != 1 {
			t.Fatalf("work ran %d times, want 1", n)
		}
		if n := joined.Load(); n != callers-1 {
			t.Fatalf("%d callers joined, want %d", n, callers-1)
		}
		for v := range results {
			if v != "result-1" {
				t.Fatalf("got %q", v)
			}
		}
	})
}

func TestTheFirstCallerLeavesAtOnceWhileOthersWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, string]
		work := newBlocked()
		firstCtx, leaveFirst := context.WithCancel(context.Background())
		firstDone := make(chan error, 1)
		go func() {
			_, err, _ := g.Do(firstCtx, "k", work.fn)
			firstDone <- err
		}()
		synctest.Wait()
		secondDone := make(chan string, 1)
		go func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			v, _, _ := g.Do(ctx, "k", work.fn)
			secondDone <- v
		}()
		synctest.Wait()

		leaveFirst()
		synctest.Wait()
		select {
		case err := <-firstDone:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("the first caller's error: %v", err)
			}
		default:
			t.Fatal("the caller that started the call is still blocked after its context ended")
		}
		if work.cancelled.Load() != 0 {
			t.Fatal("the call was cancelled although a caller still waits")
		}
		close(work.release)
		if v := <-secondDone; v != "result-1" {
			t.Fatalf("the waiting caller got %q", v)
		}
	})
}

func TestTheLastCallerToLeaveCancelsTheWork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, string]
		work := newBlocked()
		ctx1, leave1 := context.WithCancel(context.Background())
		ctx2, leave2 := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, ctx := range []context.Context{ctx1, ctx2} {
			wg.Go(func() { _, _, _ = g.Do(ctx, "k", work.fn) })
		}
		synctest.Wait()
		leave1()
		synctest.Wait()
		if work.cancelled.Load() != 0 {
			t.Fatal("cancelled while a caller still waits")
		}
		leave2()
		wg.Wait()
		synctest.Wait()
		if work.cancelled.Load() != 1 {
			t.Fatal("the work was not cancelled when its last caller left")
		}
		// The key is free again: the next caller starts a call of its own.
		close(work.release)
		if v, err, joined := g.Do(context.Background(), "k", work.fn); err != nil || joined || v != "result-2" {
			t.Fatalf("after everyone left: %q %v joined=%v", v, err, joined)
		}
	})
}

func TestADetachedCallOutlivesItsCallers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, string]
		work := newBlocked()
		ctx, leave := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			_, err, _ := g.DoDetached(ctx, "k", work.fn)
			done <- err
		}()
		synctest.Wait()
		leave()
		var left *flight.LeftError
		if err := <-done; !errors.As(err, &left) {
			t.Fatalf("the caller that left got %v; want a LeftError", err)
		}
		synctest.Wait()
		if work.cancelled.Load() != 0 {
			t.Fatal("a detached call was cancelled when its last caller left")
		}
		// A later caller joins the call still running rather than starting
		// another, and gets its result.
		go func() { synctest.Wait(); close(work.release) }()
		v, err, joined := g.DoDetached(context.Background(), "k", work.fn)
		if err != nil || !joined || v != "result-1" || work.runs.Load() != 1 {
			t.Fatalf("later caller: %q %v joined=%v after %d runs; want result-1, joined, 1 run", v, err, joined, work.runs.Load())
		}
	})
}

func TestLeftErrorCarriesTheLatestFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, string]
		attempt := errors.New("429 from upstream")
		noted := make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err, _ := g.Do(ctx, "k", func(ctx context.Context, note func(error)) (string, error) {
				note(attempt)
				close(noted)
				<-ctx.Done()
				return "", ctx.Err()
			})
			done <- err
		}()
		<-noted
		cancel()
		err := <-done
		var left *flight.LeftError
		if !errors.As(err, &left) || !errors.Is(err, attempt) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v should be a LeftError matching both the attempt and the cancellation", err)
		}
	})
}

func TestDoFreshNeverJoinsAnEarlierCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, string]
		work := newBlocked()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		early := make(chan string, 1)
		go func() { v, _, _ := g.Do(ctx, "k", work.fn); early <- v }()
		synctest.Wait()
		fresh := make(chan string, 1)
		go func() { v, _ := g.DoFresh(ctx, "k", work.fn); fresh <- v }()
		synctest.Wait()
		if n := work.runs.Load(); n != 2 {
			t.Fatalf("DoFresh joined: %d runs", n)
		}
		// A later Do joins the newest call, not the earlier one.
		late := make(chan bool, 1)
		go func() { _, _, joined := g.Do(ctx, "k", work.fn); late <- joined }()
		synctest.Wait()
		if n := work.runs.Load(); n != 2 {
			t.Fatalf("a later Do started a call: %d runs", n)
		}
		close(work.release)
		<-early
		<-fresh
		if !<-late {
			t.Fatal("a later Do did not join")
		}
	})
}

func TestForgetMakesLaterCallersStartAnew(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, string]
		work := newBlocked()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { _, _, _ = g.Do(ctx, "sess_1/a", work.fn) }()
		go func() { _, _, _ = g.Do(ctx, "sess_2/a", work.fn) }()
		synctest.Wait()
		g.Forget(func(k string) bool { return k == "sess_1/a" })
		if g.InFlight("sess_1/a") || !g.InFlight("sess_2/a") {
			t.Fatal("Forget unlisted the wrong calls")
		}
		go func() { _, _, _ = g.Do(ctx, "sess_1/a", work.fn) }()
		synctest.Wait()
		if n := work.runs.Load(); n != 3 {
			t.Fatalf("%d runs, want 3", n)
		}
		close(work.release)
	})
}

func TestTryDo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, string]
		work := newBlocked()
		ctx := context.Background()
		if _, err, _ := g.TryDo(ctx, "k", func() bool { return false }, work.fn); !errors.Is(err, flight.ErrNotStarted) {
			t.Fatalf("refused start: %v", err)
		}
		if work.runs.Load() != 0 {
			t.Fatal("work ran although allow refused")
		}
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() { _, _, _ = g.Do(wctx, "k", work.fn) }()
		synctest.Wait()
		got := make(chan bool, 1)
		go func() {
			_, err, joined := g.TryDo(wctx, "k", func() bool { t.Error("allow asked while a call is in flight"); return false }, work.fn)
			got <- joined && err == nil
		}()
		synctest.Wait()
		close(work.release)
		if !<-got {
			t.Fatal("TryDo did not join the call in flight")
		}
	})
}

// BenchmarkUncontended is the cost the group adds to a lone call whose
// context can end (the work is trivial).
func BenchmarkUncontended(b *testing.B) {
	var g flight.Group[string, string]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fn := func(context.Context, func(error)) (string, error) { return "v", nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err, _ := g.Do(ctx, "k", fn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUncontendedInline is a lone call whose context cannot end: the
// caller does the work itself.
func BenchmarkUncontendedInline(b *testing.B) {
	var g flight.Group[string, string]
	ctx := context.Background()
	fn := func(context.Context, func(error)) (string, error) { return "v", nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err, _ := g.Do(ctx, "k", fn); err != nil {
			b.Fatal(err)
		}
	}
}

// A caller whose context has already ended gets its cancellation, every
// time, and starts nothing: even work that would finish at once must not
// race the context for which answer it gives.
func TestACallerThatHasLeftStartsNothing(t *testing.T) {
	var g flight.Group[string, string]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := 0
	fn := func(context.Context, func(error)) (string, error) { ran++; return "v", nil }
	for range 1000 {
		if _, err, _ := g.Do(ctx, "k", fn); !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	}
	if ran != 0 {
		t.Fatalf("work ran %d times for callers that had left", ran)
	}
}
