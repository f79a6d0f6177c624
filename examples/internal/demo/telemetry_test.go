package demo_test

import (
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// TestTelemetryVariables: a wrong CLERK_OTEL or CLERK_OTEL_INTERVAL stops
// the start with an error that names the variable; stdout starts.
func TestTelemetryVariables(t *testing.T) {
	tests := []struct {
		otel, interval string
		wantErr        string // "" for none
	}{
		{"jaeger", "", demo.EnvOTel},
		{"stdout", "soon", demo.EnvOTelInterval},
		{"stdout", "-1s", demo.EnvOTelInterval},
		{"stdout", "1h", ""},
		{"off", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.otel+"/"+tt.interval, func(t *testing.T) {
			t.Setenv("CLERK_SECRET_KEY", "")
			t.Setenv(demo.EnvOTel, tt.otel)
			t.Setenv(demo.EnvOTelInterval, tt.interval)
			app, err := demo.New(nil)
			if app != nil {
				defer app.Close()
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}
