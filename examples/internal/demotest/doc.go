// Package demotest holds the integration checks every example server must
// pass, so every example is tested by one table against a real listening
// server.
package demotest
