package main

import (
	"fmt"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// demoOAuthClient is the client_id of the printed OAuth access token.
const demoOAuthClient = "client_demo"

// machineInfo is the machine part of the startup facts: two machines, the
// first allowed to call the second, and one sample of each machine
// credential.
type machineInfo struct {
	MachineID              string `json:"machine_id"`
	MachineSecretKey       string `json:"machine_secret_key"`
	TargetMachineID        string `json:"target_machine_id"`
	TargetMachineSecretKey string `json:"target_machine_secret_key"`
	M2MToken               string `json:"m2m_token"`
	M2MJWT                 string `json:"m2m_jwt"`
	APIKey                 string `json:"api_key"`
	OAuthClientID          string `json:"oauth_client_id"`
	OAuthToken             string `json:"oauth_token"`
}

// seedMachines adds a target machine and a caller scoped to it, then mints
// an opaque M2M token and an M2M JWT for the caller, and an API key and an
// OAuth access token for the demo user. The tokens are granted to the
// target, so it can verify them with its own secret key.
func seedMachines(srv *clerktest.Server, userID string) (machineInfo, error) {
	target, err := srv.AddMachine(clerktest.Machine{Name: "demo-api"})
	if err != nil {
		return machineInfo{}, err
	}
	caller, err := srv.AddMachine(clerktest.Machine{Name: "demo-worker", Scopes: []string{target.ID}})
	if err != nil {
		return machineInfo{}, err
	}
	opaque, err := srv.CreateM2MToken(caller.ID)
	if err != nil {
		return machineInfo{}, err
	}
	jwt, err := srv.CreateM2MToken(caller.ID, clerktest.MachineTokenJWT())
	if err != nil {
		return machineInfo{}, err
	}
	key, err := srv.CreateAPIKey(userID, "demo-key", clerktest.MachineTokenScopes("read"))
	if err != nil {
		return machineInfo{}, err
	}
	oauth, err := srv.CreateOAuthToken(userID, demoOAuthClient, clerktest.MachineTokenScopes("profile", "email"))
	if err != nil {
		return machineInfo{}, err
	}
	return machineInfo{
		MachineID:              caller.ID,
		MachineSecretKey:       caller.SecretKey,
		TargetMachineID:        target.ID,
		TargetMachineSecretKey: target.SecretKey,
		M2MToken:               opaque.Token,
		M2MJWT:                 jwt.Token,
		APIKey:                 key.Secret,
		OAuthClientID:          demoOAuthClient,
		OAuthToken:             oauth.Token,
	}, nil
}

// machineToken answers the machine-token control command: KIND is m2m,
// m2m-jwt, api-key, oauth or oauth-jwt; MODE valid, expired or revoked.
func machineToken(srv *clerktest.Server, f info, kind, mode string) (string, error) {
	var opts []clerktest.MachineTokenOption
	switch mode {
	case "valid":
	case "expired":
		opts = append(opts, clerktest.MachineTokenExpired())
	case "revoked":
		opts = append(opts, clerktest.MachineTokenRevoked("revoked by the control channel"))
	default:
		return "", fmt.Errorf("unknown mode %q (valid, expired, revoked)", mode)
	}
	switch kind {
	case "m2m", "m2m-jwt":
		if kind == "m2m-jwt" {
			opts = append(opts, clerktest.MachineTokenJWT())
		}
		t, err := srv.CreateM2MToken(f.MachineID, opts...)
		return t.Token, err
	case "api-key":
		k, err := srv.CreateAPIKey(f.UserID, "control-key", opts...)
		return k.Secret, err
	case "oauth", "oauth-jwt":
		if kind == "oauth-jwt" {
			opts = append(opts, clerktest.MachineTokenJWT())
		}
		t, err := srv.CreateOAuthToken(f.UserID, f.OAuthClientID, opts...)
		return t.Token, err
	}
	return "", fmt.Errorf("unknown kind %q (m2m, m2m-jwt, api-key, oauth, oauth-jwt)", kind)
}
