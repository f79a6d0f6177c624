package clerkotel

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/clerkkit/clerkkit/otel"

// Version is the version of this module, reported as the instrumentation
// scope's version.
func Version() string { return "0.1.0" }
