package clerktest

import "net/http"

// matchMachineRoute matches the machine-token endpoints. raw and segs are
// the escaped and decoded path segments after the leading slash. Each
// endpoint answers under /v1 as the specification and Clerk's Go SDK call
// it, and without /v1 as Clerk's JavaScript SDK calls it.
func matchMachineRoute(raw, segs []string) (route, bool) {
	if len(raw) > 0 && raw[0] == "v1" {
		raw, segs = raw[1:], segs[1:]
	}
	at := func(endpoint string, auth authMode, id string) (route, bool) {
		return route{endpoint: endpoint, methods: []string{http.MethodPost}, auth: auth, id: id}, true
	}
	switch {
	case len(raw) == 0:
	case raw[0] == "m2m_tokens":
		switch {
		case len(raw) == 1:
			return at(EndpointCreateM2MToken, authMachine, "")
		case len(raw) == 2 && raw[1] == "verify":
			return at(EndpointVerifyM2MToken, authInstanceOrMachine, "")
		case len(raw) == 3 && raw[2] == "revoke":
			return at(EndpointRevokeM2MToken, authInstanceOrMachine, segs[1])
		}
	case raw[0] == "api_keys":
		switch {
		case len(raw) == 1:
			return at(EndpointCreateAPIKey, authInstance, "")
		case len(raw) == 2 && raw[1] == "verify":
			return at(EndpointVerifyAPIKey, authInstance, "")
		case len(raw) == 3 && raw[2] == "revoke":
			return at(EndpointRevokeAPIKey, authInstance, segs[1])
		}
	case len(raw) == 3 && raw[0] == "oauth_applications" && raw[1] == "access_tokens" && raw[2] == "verify":
		return at(EndpointVerifyOAuthToken, authInstance, "")
	}
	return route{}, false
}
