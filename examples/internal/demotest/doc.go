// Package demotest holds the integration checks every example server must
// pass, so the gin, echo (v4 and v5) and fiber examples are tested by one
// table against a real listening server.
package demotest
