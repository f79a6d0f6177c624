package demo

import (
	"encoding/json"

	clerk "github.com/clerkkit/clerkkit/core"
)

// AdminPath is for administrators of the active organization only: its
// guard requires the organization role "org:admin", as has({role:
// 'org:admin'}) does in Clerk's SDKs. Signed out it answers 401, signed in
// without the role 403 {"message":"Forbidden"}.
const AdminPath = "/api/admin"

// admin is AdminPath's 200 body.
type admin struct {
	UserID  string `json:"userId"`
	OrgID   string `json:"orgId"`
	OrgRole string `json:"orgRole"`
}

// AdminBody is AdminPath's 200 body for a signed-in administrator:
// {"userId":…,"orgId":…,"orgRole":"org:admin"}. Built here, as MachineBody
// is, so the examples answer byte for byte alike.
func AdminBody(auth *clerk.Auth) []byte {
	body, err := json.Marshal(admin{UserID: auth.UserID(), OrgID: auth.OrgID(), OrgRole: auth.OrgRole()})
	if err != nil {
		// Strings only: encoding cannot fail.
		panic("demo: encoding the admin body: " + err.Error())
	}
	return body
}
