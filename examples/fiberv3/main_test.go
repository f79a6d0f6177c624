package main

import (
	"testing"

	"github.com/clerkkit/clerkkit/examples/internal/demotest"
)

func TestExampleServer(t *testing.T) {
	app := demotest.StartOffline(t)
	url := demotest.Serve(t, app, serve)
	t.Run("getToken routes", func(t *testing.T) { demotest.CheckRoutes(t, url, app) })
	t.Run("session route", func(t *testing.T) { demotest.CheckSessionRoute(t, url, app) })
	t.Run("admin route", func(t *testing.T) { demotest.CheckAdminRoute(t, url, app) })
	t.Run("machine route", func(t *testing.T) { demotest.CheckMachineRoute(t, url, app) })
	t.Run("fresh session token", func(t *testing.T) { demotest.CheckFreshSessionToken(t, url) })
	t.Run("banner commands", func(t *testing.T) { demotest.CheckBannerCommands(t, url, app) })
	t.Run("probes", func(t *testing.T) { demotest.CheckProbes(t, url, app) })
}

func TestExampleAgainstAnotherBackendAPI(t *testing.T) {
	demotest.CheckRealMode(t, serve)
}

func TestExampleReadinessAtStartUp(t *testing.T) {
	demotest.CheckRealModeReadiness(t, serve)
}

func TestReplicasShareOneRedis(t *testing.T) {
	demotest.CheckReplicasShareRedis(t, serve)
}
