package demo

import (
	"fmt"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// SignedInUser is a user of the offline demo, signed in with a session of
// their own.
type SignedInUser struct {
	UserID    string
	SessionID string
}

// seedMember adds Grace, a member of the demo organization without the
// admin role, signed in with that organization active: AdminPath refuses
// her with 403 where it lets the demo user, its admin, through.
func seedMember(emu *clerktest.Server, orgID string) (SignedInUser, error) {
	user, err := emu.AddUser(clerktest.User{
		FirstName:      "Grace",
		LastName:       "Hopper",
		Username:       "grace",
		EmailAddresses: []clerktest.EmailAddress{{Address: "grace@example.com"}},
	})
	if err != nil {
		return SignedInUser{}, fmt.Errorf("adding the demo member: %w", err)
	}
	if err := emu.AddMembership(orgID, user.ID, "member"); err != nil {
		return SignedInUser{}, fmt.Errorf("adding the demo member to the organization: %w", err)
	}
	sess := emu.CreateSession(user.ID, clerktest.WithActiveOrganization(orgID))
	return SignedInUser{UserID: user.ID, SessionID: sess.ID}, nil
}
