package clerkotel_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// clock is a settable clock shared by the emulator and the Authenticator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// attrs renders an attribute list as "k=v k=v", sorted by key.
func attrs(kvs []attribute.KeyValue) string {
	parts := make([]string, 0, len(kvs))
	for _, kv := range kvs {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// renderSpan writes a span as lines: its name, kind, status and attributes,
// then one line per event.
func renderSpan(s sdktrace.ReadOnlySpan) []string {
	lines := []string{fmt.Sprintf("%s %s status=%s/%s %s", s.Name(), s.SpanKind(), s.Status().Code, s.Status().Description, attrs(s.Attributes()))}
	for _, e := range s.Events() {
		lines = append(lines, "  event "+e.Name+" "+attrs(e.Attributes))
	}
	return lines
}

// collect reads the metrics as "name{attrs}" → value: the sum of a
// counter, the count of a histogram, the value of a gauge.
func collect(t *testing.T, reader *sdkmetric.ManualReader) (map[string]int64, map[string]float64) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	gauges := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					counts[m.Name+"{"+attrs(p.Attributes.ToSlice())+"}"] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					counts[m.Name+"{"+attrs(p.Attributes.ToSlice())+"}"] += int64(p.Count)
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					gauges[m.Name+"{"+attrs(p.Attributes.ToSlice())+"}"] = p.Value
				}
			default:
				t.Fatalf("%s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	return counts, gauges
}

func hostPort(t *testing.T, srv *clerktest.Server) (string, string) {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname(), u.Port()
}
