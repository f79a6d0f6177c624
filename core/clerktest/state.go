package clerktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Errors returned by the state methods. They are sentinels so tests can
// match them with errors.Is.
var (
	ErrUserNotFound         = errors.New("clerktest: user not found")
	ErrOrganizationNotFound = errors.New("clerktest: organization not found")
	ErrSessionNotFound      = errors.New("clerktest: session not found")
	ErrTemplateNotFound     = errors.New("clerktest: JWT template not found")
	ErrMembershipNotFound   = errors.New("clerktest: membership not found")
)

// User is the part of a Clerk user that tokens and template shortcodes can
// reach. Empty strings render as null, as Clerk stores absent fields as null.
type User struct {
	ID         string
	FirstName  string
	LastName   string
	Username   string
	ExternalID string
	// EmailAddresses lists the user's addresses; PrimaryEmailAddress picks
	// one of them and defaults to the first.
	EmailAddresses      []EmailAddress
	PrimaryEmailAddress string
	PrimaryPhoneNumber  string
	ImageURL            string
	PublicMetadata      map[string]any
	UnsafeMetadata      map[string]any
	// Plan and Features feed the pla and fea claims with the "u:" scope
	// (billing); leave them empty to omit those claims.
	Plan     string
	Features []string
}

// EmailAddress is one address of a user. The zero value is verified,
// because every address of a real signed-in user normally is; set
// Unverified to test {{user.email_verified}} being false.
type EmailAddress struct {
	Address    string
	Unverified bool
}

// Organization is the part of a Clerk organization that tokens reach.
type Organization struct {
	ID             string
	Name           string
	Slug           string
	PublicMetadata map[string]any
	// Plan feeds the "o:" entry of pla.
	Plan string
	// Features are the organization's plan features, in the order they
	// appear in fea. When nil, they are derived from the permissions of the
	// session's membership (first appearance order), which is what a test
	// usually wants; when set, permissions on other features are not
	// encoded, as Clerk only grants permissions of features on the plan.
	Features []string
}

type membershipKey struct{ orgID, userID string }

type membership struct {
	role        string // always "org:"-prefixed
	permissions []string
}

// SessionStatus is the lifecycle state of a session.
type SessionStatus string

// Session statuses. Only active and pending sessions can mint tokens over
// the API.
const (
	SessionActive  SessionStatus = "active"
	SessionPending SessionStatus = "pending"
	SessionEnded   SessionStatus = "ended"
	SessionRevoked SessionStatus = "revoked"
	SessionExpired SessionStatus = "expired"
)

func (s SessionStatus) canMint() bool { return s == SessionActive || s == SessionPending }

// Actor identifies who impersonates the session's user; it becomes the act
// claim.
type Actor struct {
	Subject   string // sub: the impersonator's user id
	Issuer    string // iss: defaults to "https://dashboard.clerk.com"
	SessionID string // sid: the impersonator's session, optional
}

// Session is a snapshot of a session's state.
type Session struct {
	ID                   string
	UserID               string
	Status               SessionStatus
	ActiveOrganizationID string
	// AuthorizedParty is the origin written to azp; empty omits the claim.
	AuthorizedParty string
	Actor           *Actor
	CreatedAt       time.Time
	// ExpireAt is when the session expires by itself; past it the session
	// reports SessionExpired.
	ExpireAt time.Time
	// FirstFactorVerifiedAt and SecondFactorVerifiedAt give the fva claim;
	// the zero time means never (-1).
	FirstFactorVerifiedAt  time.Time
	SecondFactorVerifiedAt time.Time
}

// SessionOption configures CreateSession.
type SessionOption func(*Session)

// WithSessionID fixes the session id instead of generating "sess_…".
func WithSessionID(id string) SessionOption { return func(s *Session) { s.ID = id } }

// WithSessionStatus creates the session in the given status.
func WithSessionStatus(st SessionStatus) SessionOption {
	return func(s *Session) { s.Status = st }
}

// WithActiveOrganization makes orgID the session's active organization; the
// user needs a membership in it by the time a token is minted.
func WithActiveOrganization(orgID string) SessionOption {
	return func(s *Session) { s.ActiveOrganizationID = orgID }
}

// WithAuthorizedParty sets the azp claim (the origin of the page that
// created the session).
func WithAuthorizedParty(origin string) SessionOption {
	return func(s *Session) { s.AuthorizedParty = origin }
}

// WithActor marks the session as an impersonation by a.
func WithActor(a Actor) SessionOption {
	return func(s *Session) {
		if a.Issuer == "" {
			a.Issuer = "https://dashboard.clerk.com"
		}
		s.Actor = &a
	}
}

// WithFactorAges sets how many minutes ago the first and second factors
// were verified when the session is created; -1 means never. The default
// is 0 and -1: a fresh single-factor sign-in.
func WithFactorAges(firstMinutes, secondMinutes int) SessionOption {
	return func(s *Session) {
		s.FirstFactorVerifiedAt = agoOrNever(s.CreatedAt, firstMinutes)
		s.SecondFactorVerifiedAt = agoOrNever(s.CreatedAt, secondMinutes)
	}
}

// WithSessionLifetime sets how long until the session expires by itself
// (default 7 days, Clerk's default).
func WithSessionLifetime(d time.Duration) SessionOption {
	return func(s *Session) { s.ExpireAt = s.CreatedAt.Add(d) }
}

func agoOrNever(t time.Time, minutes int) time.Time {
	if minutes < 0 {
		return time.Time{}
	}
	return t.Add(-time.Duration(minutes) * time.Minute)
}

// AddUser stores u, replacing any user with the same id, and returns it with
// a generated "user_…" id when u.ID is empty. Maps are deep-copied so later
// changes by the caller do not race with minting.
func (s *Server) AddUser(u User) (User, error) {
	if u.ID == "" {
		u.ID = s.ids.id("user")
	}
	var err error
	if u.PublicMetadata, err = copyObject(u.PublicMetadata); err != nil {
		return User{}, fmt.Errorf("clerktest: user public metadata: %w", err)
	}
	if u.UnsafeMetadata, err = copyObject(u.UnsafeMetadata); err != nil {
		return User{}, fmt.Errorf("clerktest: user unsafe metadata: %w", err)
	}
	u.EmailAddresses = append([]EmailAddress(nil), u.EmailAddresses...)
	u.Features = append([]string(nil), u.Features...)
	if u.PrimaryEmailAddress == "" && len(u.EmailAddresses) > 0 {
		u.PrimaryEmailAddress = u.EmailAddresses[0].Address
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	return u, nil
}

// AddOrganization stores o like AddUser stores users ("org_…" ids).
func (s *Server) AddOrganization(o Organization) (Organization, error) {
	if o.ID == "" {
		o.ID = s.ids.id("org")
	}
	var err error
	if o.PublicMetadata, err = copyObject(o.PublicMetadata); err != nil {
		return Organization{}, fmt.Errorf("clerktest: organization public metadata: %w", err)
	}
	if o.Features != nil {
		o.Features = append([]string{}, o.Features...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[o.ID] = o
	return o, nil
}

// AddMembership makes userID a member of orgID with role ("admin" or
// "org:admin") and permissions of the form "org:<feature>:<permission>".
// It replaces an existing membership.
func (s *Server) AddMembership(orgID, userID, role string, permissions ...string) error {
	if role == "" {
		return errors.New("clerktest: membership role is empty")
	}
	if !strings.HasPrefix(role, "org:") {
		role = "org:" + role
	}
	for _, p := range permissions {
		if _, _, ok := splitPermission(p); !ok {
			return fmt.Errorf("clerktest: permission %q is not of the form org:<feature>:<permission>", p)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[orgID]; !ok {
		return fmt.Errorf("%w: %s", ErrOrganizationNotFound, orgID)
	}
	s.memberships[membershipKey{orgID, userID}] = membership{role: role, permissions: append([]string(nil), permissions...)}
	return nil
}

// splitPermission splits "org:feature:perm".
func splitPermission(p string) (feature, perm string, ok bool) {
	parts := strings.Split(p, ":")
	if len(parts) != 3 || parts[0] != "org" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// CreateSession starts a session for userID, active unless an option says
// otherwise. The user need not have been added: tokens then carry only its
// id, and user shortcodes other than {{user.id}} render as null, which
// keeps tests that only care about sub short.
func (s *Server) CreateSession(userID string, opts ...SessionOption) Session {
	now := s.now()
	sess := Session{
		UserID:                userID,
		Status:                SessionActive,
		CreatedAt:             now,
		ExpireAt:              now.Add(7 * 24 * time.Hour),
		FirstFactorVerifiedAt: now,
	}
	for _, o := range opts {
		o(&sess)
	}
	if sess.ID == "" {
		sess.ID = s.ids.id("sess")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored := sess
	s.sessions[sess.ID] = &stored
	return sess
}

// Session returns the session's current state, with Status reporting
// SessionExpired once the clock passes ExpireAt.
func (s *Server) Session(id string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return Session{}, false
	}
	return s.sessionSnapshot(sess), true
}

func (s *Server) sessionSnapshot(sess *Session) Session {
	out := *sess
	if out.Status.canMint() && !s.now().Before(out.ExpireAt) {
		out.Status = SessionExpired
	}
	if out.Actor != nil {
		a := *out.Actor
		out.Actor = &a
	}
	return out
}

// SetSessionStatus moves a session to st.
func (s *Server) SetSessionStatus(id string, st SessionStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrSessionNotFound, id)
	}
	sess.Status = st
	if st.canMint() && !s.now().Before(sess.ExpireAt) {
		// Reactivating an expired session would otherwise stay expired.
		sess.ExpireAt = s.now().Add(7 * 24 * time.Hour)
	}
	return nil
}

// EndSession marks the session ended (the user signed out).
func (s *Server) EndSession(id string) error { return s.SetSessionStatus(id, SessionEnded) }

// RevokeSession marks the session revoked (an administrator ended it).
func (s *Server) RevokeSession(id string) error { return s.SetSessionStatus(id, SessionRevoked) }

// ExpireSession marks the session expired.
func (s *Server) ExpireSession(id string) error { return s.SetSessionStatus(id, SessionExpired) }

// copyObject deep-copies a JSON object through its encoding, which both
// detaches it from the caller and proves it will marshal at mint time.
// Numbers stay json.Number so large integers survive exactly.
func copyObject(m map[string]any) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := decodeJSON(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after JSON value")
	}
	return nil
}
