package clerktest_test

import (
	"io"
	"net/http"
	"testing"
)

func TestClerkAPIVersionHeader(t *testing.T) {
	srv := start(t)
	tests := []struct {
		name     string
		versions []string // values of Clerk-API-Version; none sends no header
		status   int
	}{
		{"no header: the instance default", nil, http.StatusOK},
		{"a dated version", []string{"2026-05-12"}, http.StatusOK},
		{"an older dated version", []string{"2021-02-05"}, http.StatusOK},
		{"not a date", []string{"v2"}, http.StatusBadRequest},
		{"an impossible date", []string{"2026-13-45"}, http.StatusBadRequest},
		{"two headers", []string{"2026-05-12", "2025-04-10"}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/v1/jwks", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
			for _, v := range tt.versions {
				req.Header.Add("Clerk-API-Version", v)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.status == http.StatusBadRequest {
				r := response{status: res.StatusCode, header: res.Header}
				r.body = readAll(t, res)
				if e := parseErrors(t, r); e.Errors[0].Code != "api_version_invalid" || e.ClerkTraceID == "" {
					t.Fatalf("error body %+v", e)
				}
			}
		})
	}
}

func readAll(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
