// Package demo is the wiring the example servers share, so that their
// mains differ only in framework code: configuration from Clerk's
// environment variables, the offline mode that runs the clerktest emulator
// in-process when no Clerk account is configured, the start-up banner with
// copy-paste curl commands, request logs, and graceful shutdown.
package demo
