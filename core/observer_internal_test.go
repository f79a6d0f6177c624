package clerk

import "testing"

// TestDescribeCall: paths are labelled by their endpoint's template, with
// a /v1 kept and a proxy's prefix dropped, and nothing of the path itself.
func TestDescribeCall(t *testing.T) {
	tests := []struct {
		method, target string
		endpoint       Endpoint
		route          string
		host           string
		port           int
	}{
		{"POST", "https://api.clerk.com/v1/sessions/sess_1/tokens", EndpointGetToken, "/v1/sessions/{session_id}/tokens", "api.clerk.com", 443},
		{"POST", "https://api.clerk.com/v1/sessions/sess_1/tokens/jwks", EndpointGetToken, "/v1/sessions/{session_id}/tokens/{template}", "api.clerk.com", 443},
		{"POST", "https://api.clerk.com/v1/sessions/sess_1/tokens/verify", EndpointGetToken, "/v1/sessions/{session_id}/tokens/{template}", "api.clerk.com", 443},
		{"POST", "http://proxy.internal:8080/clerk/v1/sessions/sess_1/tokens/a%2Fb", EndpointGetToken, "/v1/sessions/{session_id}/tokens/{template}", "proxy.internal", 8080},
		{"GET", "https://api.clerk.com/v1/jwks", EndpointJWKS, "/v1/jwks", "api.clerk.com", 443},
		{"GET", "https://clerk.example.com/.well-known/jwks.json", EndpointJWKS, "/.well-known/jwks.json", "clerk.example.com", 443},
		{"POST", "https://api.clerk.com/v1/m2m_tokens/verify", EndpointVerifyM2MToken, "/v1/m2m_tokens/verify", "api.clerk.com", 443},
		{"POST", "https://api.clerk.com/m2m_tokens/verify", EndpointVerifyM2MToken, "/m2m_tokens/verify", "api.clerk.com", 443},
		{"POST", "https://api.clerk.com/v1/api_keys/verify", EndpointVerifyAPIKey, "/v1/api_keys/verify", "api.clerk.com", 443},
		{"POST", "https://api.clerk.com/v1/oauth_applications/access_tokens/verify", EndpointVerifyOAuthToken, "/v1/oauth_applications/access_tokens/verify", "api.clerk.com", 443},
		{"POST", "https://api.clerk.com/m2m_tokens", EndpointCreateM2MToken, "/m2m_tokens", "api.clerk.com", 443},
		{"GET", "https://api.clerk.com/m2m_tokens", EndpointOther, "", "api.clerk.com", 443},
		{"POST", "https://api.clerk.com/v1/m2m_tokens/mt_123/revoke", EndpointRevokeM2MToken, "/v1/m2m_tokens/{m2m_token_id}/revoke", "api.clerk.com", 443},
		{"GET", "http://127.0.0.1/v1/users/user_1", EndpointOther, "", "127.0.0.1", 80},
		{"GET", "http://[::1]:9/", EndpointOther, "", "::1", 9},
		{"GET", "::not a url", EndpointOther, "", "", 0},
	}
	for _, tt := range tests {
		got := describeCall(tt.method, tt.target)
		want := APICall{Endpoint: tt.endpoint, Method: tt.method, Route: tt.route, ServerAddress: tt.host, ServerPort: tt.port}
		if got != want {
			t.Errorf("%s %s:\n got %+v\nwant %+v", tt.method, tt.target, got, want)
		}
	}
}
