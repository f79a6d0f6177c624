package clerkgin_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
)

// reverificationBody is Clerk's answer to a verification older than the
// "strict" preset allows, which its front end reads to prompt the user.
const reverificationBody = `{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}`

// TestRequireAuthRefusesImpossibleRequirements checks that a guard that
// could only ever answer 403 is refused where it is built, with the
// reason clerk.CheckRequirements gives.
func TestRequireAuthRefusesImpossibleRequirements(t *testing.T) {
	for _, c := range []struct {
		name string
		reqs []clerk.Requirement
	}{
		{"empty role", []clerk.Requirement{clerk.Role("")}},
		{"unknown feature scope", []clerk.Requirement{clerk.Role("admin"), clerk.Feature("team:export")}},
		{"unknown reverification preset", []clerk.Requirement{clerk.Reverification("paranoid")}},
		{"zero requirement", []clerk.Requirement{{}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := clerk.CheckRequirements(c.reqs...)
			if want == nil {
				t.Fatal("CheckRequirements accepts the requirements")
			}
			defer func() {
				v := recover()
				if msg := fmt.Sprint(v); v == nil || !strings.HasPrefix(msg, "clerkgin: RequireAuth: ") || !strings.HasSuffix(msg, want.Error()) {
					t.Fatalf("recovered %v, want a panic with %q", v, want)
				}
			}()
			clerkgin.RequireAuth(c.reqs...)
		})
	}
}

// TestRequireAuthReverification checks that a stale verification stops the
// chain with Clerk's reverification body byte for byte, as JSON, and that
// the handler runs once the verification is fresh.
func TestRequireAuthReverification(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth))
	ran := false
	e.GET("/", clerkgin.RequireAuth(clerk.Reverification("strict")), func(*gin.Context) { ran = true })
	stale := r.SessionToken(t, clerktest.TokenClaims(map[string]any{"fva": []int{30, 30}}))
	w := serve(e, "/", bearer(stale))
	if ran || w.Code != http.StatusForbidden || w.Body.String() != reverificationBody ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("stale: ran %t, %d %q %q", ran, w.Code, w.Body, w.Header().Get("Content-Type"))
	}
	fresh := r.SessionToken(t, clerktest.TokenClaims(map[string]any{"fva": []int{2, 2}}))
	if w := serve(e, "/", bearer(fresh)); !ran || w.Code != http.StatusOK {
		t.Fatalf("fresh: ran %t, %d %s", ran, w.Code, w.Body)
	}
}
