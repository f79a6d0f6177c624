// Package examples holds runnable servers that mirror Clerk's Next.js
// getToken examples in gin, echo and fiber.
package examples
