package clerktest_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// TestConcurrentUse mints over HTTP and the Go API while other goroutines
// change every kind of state; run with -race.
func TestConcurrentUse(t *testing.T) {
	srv := start(t)
	meta := map[string]any{"role": "admin"}
	_ = must(srv.AddUser(clerktest.User{ID: "user_0", PublicMetadata: meta}))
	_ = must(srv.AddOrganization(clerktest.Organization{ID: "org_0", Slug: "zero"}))
	mustOK(srv.AddMembership("org_0", "user_0", "admin", "org:a:read"))
	mustOK(srv.AddTemplate(clerktest.Template{Name: "t", Claims: map[string]any{"r": "{{user.public_metadata.role}}", "o": "{{org.slug}}"}}))
	shared := srv.CreateSession("user_0", clerktest.WithActiveOrganization("org_0"))

	const workers = 16
	const rounds = 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := srv.Client()
			for i := range rounds {
				uid := fmt.Sprintf("user_%d_%d", w, i)
				_ = must(srv.AddUser(clerktest.User{ID: uid, FirstName: "W", PublicMetadata: map[string]any{"i": i}}))
				mustOK(srv.AddMembership("org_0", uid, "member", "org:a:read"))
				mustOK(srv.AddTemplate(clerktest.Template{Name: fmt.Sprintf("t%d", w), Claims: map[string]any{"i": "{{user.public_metadata.i}}"}}))
				sess := srv.CreateSession(uid, clerktest.WithActiveOrganization("org_0"))
				if _, err := srv.SessionToken(sess.ID); err != nil {
					errs <- err
				}
				if _, err := srv.TemplateToken(shared.ID, "t"); err != nil {
					errs <- err
				}
				for _, path := range []string{"/v1/sessions/" + sess.ID + "/tokens", "/v1/sessions/" + shared.ID + "/tokens/t"} {
					req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, nil)
					req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
					res, err := client.Do(req)
					if err != nil {
						errs <- err
						continue
					}
					res.Body.Close()
					if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusServiceUnavailable {
						errs <- fmt.Errorf("%s: status %d", path, res.StatusCode)
					}
				}
				switch i % 4 {
				case 0:
					srv.FailNext(1, 503, clerktest.EndpointJWKS)
				case 1:
					mustOK(srv.EndSession(sess.ID))
				case 2:
					_ = srv.JWKS()
					_ = srv.PublicKeyPEM()
					_ = srv.KeyID()
				case 3:
					_ = srv.Requests("")
					_ = srv.LastRequest()
					srv.SetLatency(0)
				}
			}
		}()
	}
	// Key rotation alongside, with pre-generated keys to keep it fast.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 10 {
			kid := fmt.Sprintf("ins_rot%d", i)
			if err := srv.RotateKeyTo(testKeys()[i%3], kid); err != nil {
				errs <- err
			}
			if i > 0 {
				if err := srv.RetireKey(fmt.Sprintf("ins_rot%d", i-1)); err != nil {
					errs <- err
				}
			}
		}
	}()
	// The caller's map is copied: changing it races with nothing.
	meta["role"] = "changed"
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	srv.ClearFaults() // leftover injected 503s would hide the JWKS
	jwt, err := srv.TemplateToken(shared.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, claims := verified(t, srv, jwt); claims["r"] != "admin" || claims["o"] != "zero" {
		t.Errorf("claims after the storm = %v", claims)
	}
}
