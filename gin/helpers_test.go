package clerkgin_test

import (
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
)

// rig is the emulated Clerk instance every adapter test shares; this
// package adds its router on top.
type rig struct{ *adaptertest.Rig }

func newRig(tb testing.TB, authOpts ...clerk.AuthenticatorOption) *rig {
	return &rig{adaptertest.NewRig(tb, authOpts...)}
}
