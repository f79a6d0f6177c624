// Package clerkgin makes clerkkit native in gin: middleware that attaches
// the Clerk session to each request, a guard that answers 401 when it is
// signed out, and getToken for the current session.
package clerkgin
