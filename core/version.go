package clerk

// Version is the version of this module, sent in the User-Agent header so
// that Clerk (and anyone reading a proxy's logs) can tell which client called.
const Version = "0.1.0"

// modulePath names this module in the User-Agent header.
const modulePath = "github.com/clerkkit/clerkkit/core"

// defaultUserAgent follows the "<package>@<version>" form of Clerk's SDKs.
const defaultUserAgent = modulePath + "@v" + Version
