// Package clerkfiber makes clerkkit native in fiber v2: middleware that
// attaches the Clerk session to each request, a guard that answers 401 when
// it is signed out, and getToken for the current session.
package clerkfiber
