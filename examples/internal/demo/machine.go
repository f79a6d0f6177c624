package demo

import (
	"encoding/json"

	clerk "github.com/clerkkit/clerkkit/core"
)

// MachinePath answers machine callers: other services with an M2M token,
// scripts with an API key. Sessions are refused with 401, as every other
// kind of token.
const MachinePath = "/api/machine"

// JSONContentType is the Content-Type of MachineBody and AdminBody, the
// same in every framework.
const JSONContentType = "application/json"

// MachineTokenTypes are the kinds of token MachinePath accepts: a new
// slice on every call, for the adapters' AcceptsToken.
func MachineTokenTypes() []clerk.TokenType {
	return []clerk.TokenType{clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey}
}

// machineCaller is MachinePath's 200 body: what Clerk's verify answer, or
// the verified JWT, says about the caller.
type machineCaller struct {
	TokenType clerk.TokenType `json:"tokenType"`
	ID        string          `json:"id"`
	Subject   string          `json:"subject"`
	Scopes    []string        `json:"scopes"`
}

// MachineBody is MachinePath's 200 body for an authenticated machine
// caller: {"tokenType":…,"id":…,"subject":…,"scopes":[…]}. It is built
// here, not by each framework's JSON renderer, so the examples answer
// byte for byte alike.
func MachineBody(auth *clerk.Auth) []byte {
	scopes := auth.Scopes()
	if scopes == nil {
		// [] rather than null: a client iterating over scopes needs no
		// special case.
		scopes = []string{}
	}
	body, err := json.Marshal(machineCaller{
		TokenType: auth.TokenType(),
		ID:        auth.TokenID(),
		Subject:   auth.Subject(),
		Scopes:    scopes,
	})
	if err != nil {
		// Strings only: encoding cannot fail, so this is a programming
		// error, not a request's.
		panic("demo: encoding the machine caller: " + err.Error())
	}
	return body
}
