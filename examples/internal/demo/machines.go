package demo

import (
	"fmt"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// machineTokenLifetime is how long the seeded M2M tokens live: a working
// day, so the banner's commands keep working while someone tries them.
const machineTokenLifetime = 24 * time.Hour

// Machines is what offline mode seeds for MachinePath: this example as a
// machine, a worker machine allowed to call it with M2M tokens, and an
// API key of the demo user.
type Machines struct {
	// Server is the machine this example stands for; Worker's tokens carry
	// its id in their scopes.
	Server clerktest.Machine
	Worker clerktest.Machine
	// M2MToken is Worker's opaque "mt_…" token, verified over the Backend
	// API; M2MJWT is a JWT one, verified with the instance's keys.
	M2MToken clerktest.M2MToken
	M2MJWT   clerktest.M2MToken
	// APIKey belongs to the demo user; it never expires.
	APIKey clerktest.APIKey
}

// seedMachines adds the machines and mints the credentials of Machines.
func seedMachines(emu *clerktest.Server, userID string) (Machines, error) {
	var m Machines
	var err error
	if m.Server, err = emu.AddMachine(clerktest.Machine{Name: "demo-api"}); err != nil {
		return m, fmt.Errorf("adding the demo API machine: %w", err)
	}
	if m.Worker, err = emu.AddMachine(clerktest.Machine{Name: "demo-worker", Scopes: []string{m.Server.ID}}); err != nil {
		return m, fmt.Errorf("adding the demo worker machine: %w", err)
	}
	lifetime := clerktest.MachineTokenLifetime(machineTokenLifetime)
	if m.M2MToken, err = emu.CreateM2MToken(m.Worker.ID, lifetime); err != nil {
		return m, fmt.Errorf("minting the demo M2M token: %w", err)
	}
	if m.M2MJWT, err = emu.CreateM2MToken(m.Worker.ID, lifetime, clerktest.MachineTokenJWT()); err != nil {
		return m, fmt.Errorf("minting the demo M2M JWT: %w", err)
	}
	if m.APIKey, err = emu.CreateAPIKey(userID, "demo-script", clerktest.MachineTokenScopes("orders:read", "orders:write")); err != nil {
		return m, fmt.Errorf("creating the demo API key: %w", err)
	}
	return m, nil
}
