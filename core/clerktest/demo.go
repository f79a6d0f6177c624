package clerktest

// Demo names what SeedDemo created.
type Demo struct {
	UserID         string
	OrganizationID string
	SessionID      string
	// Template is the name of the JWT template SeedDemo added.
	Template string
}

// SeedDemo fills the instance with what Clerk's getToken examples expect: a
// signed-in user who is an admin of an organization, an active session with
// that organization selected, and a JWT template named template whose claims
// use shortcodes of several kinds (a whole-value shortcode, metadata with a
// fallback, and interpolation inside text). The examples and the standalone
// command both start from it, so a demo looks the same everywhere.
func (s *Server) SeedDemo(template string, sessionOpts ...SessionOption) (Demo, error) {
	user, err := s.AddUser(User{
		FirstName:      "Ada",
		LastName:       "Lovelace",
		Username:       "ada",
		EmailAddresses: []EmailAddress{{Address: "ada@example.com"}},
		ImageURL:       "https://img.example.com/ada.png",
		PublicMetadata: map[string]any{"role": "admin"},
	})
	if err != nil {
		return Demo{}, err
	}
	org, err := s.AddOrganization(Organization{Name: "Acme Inc", Slug: "acme"})
	if err != nil {
		return Demo{}, err
	}
	if err := s.AddMembership(org.ID, user.ID, "admin", "org:memberships:read", "org:memberships:manage"); err != nil {
		return Demo{}, err
	}
	err = s.AddTemplate(Template{
		Name: template,
		Claims: map[string]any{
			"name":     "{{user.full_name}}",
			"email":    "{{user.primary_email_address}}",
			"role":     "{{user.public_metadata.role || 'member'}}",
			"org":      "{{org.slug}}",
			"greeting": "Hello, {{user.first_name}}!",
		},
	})
	if err != nil {
		return Demo{}, err
	}
	opts := append([]SessionOption{WithActiveOrganization(org.ID)}, sessionOpts...)
	sess := s.CreateSession(user.ID, opts...)
	return Demo{UserID: user.ID, OrganizationID: org.ID, SessionID: sess.ID, Template: template}, nil
}
