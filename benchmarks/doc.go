// Package benchmarks compares clerkkit with Clerk's official Go SDK
// (github.com/clerk/clerk-sdk-go/v2) and with the floors of the standard
// library, in one `go test -bench` run. Nothing depends on this module: it
// exists so the SDK never becomes a dependency of the library itself.
//
// Run it with `make bench`, which prints a benchstat table and the
// ratios the project's goals are stated in.
package benchmarks
