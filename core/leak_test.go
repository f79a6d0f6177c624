package clerk_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives its tests: servers
// and clients are closed by the tests that start them, and a key set fetch
// nobody waits for ends within its timeout. The fault matrix also checks
// its own goroutines as it goes, with leakCheck.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
