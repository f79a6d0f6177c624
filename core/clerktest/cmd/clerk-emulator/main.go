// Command clerk-emulator runs the clerktest Backend API emulator as a
// process, for front ends not written in Go and for manual trials.
//
// It seeds a demo user (in an organization), an active session and a JWT
// template named "test", prints the API URL, the instance's keys and a
// freshly minted session token, then serves until SIGINT or SIGTERM. It
// also seeds two machines, the first allowed to call the second, and
// prints a sample of each machine credential: an opaque M2M token, an M2M
// JWT, an API key and an OAuth access token.
//
//	go run github.com/clerkkit/clerkkit/core/clerktest/cmd/clerk-emulator -addr 127.0.0.1:4010
//
// With -json the same facts are printed as one JSON object on one line, so
// a test harness can start the process and parse its first line of output.
// With -control the process also reads commands from stdin, one per line,
// to queue faults or mint expired, not-yet-valid or revoked tokens (see
// control.go), and exits when stdin ends.
// The printed secret key is a throwaway key of this emulated instance;
// printing it is the point. Request logs go to stderr and never include
// headers or bodies.
package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// info is everything the command promises to print.
type info struct {
	APIURL         string `json:"api_url"`
	SecretKey      string `json:"secret_key"`
	PublishableKey string `json:"publishable_key"`
	Issuer         string `json:"issuer"`
	KeyID          string `json:"kid"`
	JWKSURL        string `json:"jwks_url"`
	PublicJWKSURL  string `json:"public_jwks_url"`
	PublicKeyPEM   string `json:"public_key_pem"`
	UserID         string `json:"user_id"`
	OrganizationID string `json:"organization_id"`
	SessionID      string `json:"session_id"`
	Template       string `json:"template"`
	SessionToken   string `json:"session_token"`
	TemplateToken  string `json:"template_token"`
	machineInfo
}

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "clerk-emulator:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clerk-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	asJSON := fs.Bool("json", false, "print the startup facts as one JSON object on one line")
	secretKey := fs.String("secret-key", "", "secret key to accept (default: a random sk_test_ key)")
	host := fs.String("frontend-api-host", "", "Frontend API host for iss and the publishable key (default: a random <name>.clerk.accounts.dev)")
	keyFile := fs.String("key-file", "", "PEM file holding the RSA signing key (default: a fresh RSA-2048 key)")
	kid := fs.String("kid", "", "key id of the signing key (default: a random ins_ id)")
	azp := fs.String("azp", "http://localhost:3000", "azp of the demo session's tokens (empty omits it)")
	lifetime := fs.Duration("token-lifetime", 60*time.Second, "lifetime of the printed session token")
	quiet := fs.Bool("quiet", false, "do not log requests to stderr")
	withControl := fs.Bool("control", false, "read control commands from stdin and answer each with a JSON line on stdout (for test harnesses)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	opts := []clerktest.Option{}
	if *secretKey != "" {
		opts = append(opts, clerktest.WithSecretKey(*secretKey))
	}
	if *host != "" {
		opts = append(opts, clerktest.WithFrontendAPIHost(*host))
	}
	if *kid != "" {
		opts = append(opts, clerktest.WithKeyID(*kid))
	}
	if *keyFile != "" {
		key, err := readKey(*keyFile)
		if err != nil {
			return err
		}
		opts = append(opts, clerktest.WithKey(key))
	}
	if !*quiet {
		opts = append(opts, clerktest.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Listening here, not in NewServer, turns a busy port into an error
	// message instead of a panic.
	l, err := new(net.ListenConfig).Listen(ctx, "tcp", *addr)
	if err != nil {
		return err
	}
	srv := clerktest.NewServer(append(opts, clerktest.WithListener(l))...)
	defer srv.Close()

	facts, err := seed(srv, *azp, *lifetime)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.Marshal(facts)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		if err != nil {
			return err
		}
	} else {
		printText(stdout, facts)
	}

	controlErr := make(chan error, 1)
	if *withControl {
		go func() { controlErr <- serveControl(stdin, stdout, srv, facts) }()
	}
	select {
	case <-ctx.Done():
	case err := <-controlErr:
		// End of input means the controlling process is done or gone,
		// so the server goes with it: a harness killed mid-run leaves
		// no emulator behind.
		if err != nil {
			return fmt.Errorf("control: %w", err)
		}
	}
	return nil
}

func readKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New(path + ": not an RSA key")
	}
	return rk, nil
}

// seed creates the demo data the Clerk getToken examples expect: a signed-in
// user with an active organization and a template named "test".
func seed(srv *clerktest.Server, azp string, lifetime time.Duration) (info, error) {
	user, err := srv.AddUser(clerktest.User{
		FirstName:      "Ada",
		LastName:       "Lovelace",
		Username:       "ada",
		EmailAddresses: []clerktest.EmailAddress{{Address: "ada@example.com"}},
		ImageURL:       "https://img.example.com/ada.png",
		PublicMetadata: map[string]any{"role": "admin"},
	})
	if err != nil {
		return info{}, err
	}
	org, err := srv.AddOrganization(clerktest.Organization{Name: "Acme Inc", Slug: "acme"})
	if err != nil {
		return info{}, err
	}
	if err := srv.AddMembership(org.ID, user.ID, "admin", "org:memberships:read", "org:memberships:manage"); err != nil {
		return info{}, err
	}
	err = srv.AddTemplate(clerktest.Template{
		Name: "test",
		Claims: map[string]any{
			"name":     "{{user.full_name}}",
			"email":    "{{user.primary_email_address}}",
			"role":     "{{user.public_metadata.role || 'member'}}",
			"org":      "{{org.slug}}",
			"greeting": "Hello, {{user.first_name}}!",
		},
	})
	if err != nil {
		return info{}, err
	}
	sess := srv.CreateSession(user.ID, clerktest.WithActiveOrganization(org.ID), clerktest.WithAuthorizedParty(azp))
	sessionToken, err := srv.SessionToken(sess.ID, clerktest.TokenLifetime(lifetime))
	if err != nil {
		return info{}, err
	}
	templateToken, err := srv.TemplateToken(sess.ID, "test")
	if err != nil {
		return info{}, err
	}
	machines, err := seedMachines(srv, user.ID)
	if err != nil {
		return info{}, err
	}
	return info{
		APIURL:         srv.URL,
		SecretKey:      srv.SecretKey(),
		PublishableKey: srv.PublishableKey(),
		Issuer:         srv.Issuer(),
		KeyID:          srv.KeyID(),
		JWKSURL:        srv.URL + "/v1/jwks",
		PublicJWKSURL:  srv.URL + "/.well-known/jwks.json",
		PublicKeyPEM:   srv.PublicKeyPEM(),
		UserID:         user.ID,
		OrganizationID: org.ID,
		SessionID:      sess.ID,
		Template:       "test",
		SessionToken:   sessionToken,
		TemplateToken:  templateToken,
		machineInfo:    machines,
	}, nil
}

// printText prints dotenv lines first, so the block can be pasted into a
// .env file, then the demo ids and tokens.
func printText(w io.Writer, f info) {
	fmt.Fprintf(w, "clerk-emulator: serving Clerk's Backend API at %s (Ctrl-C to stop)\n\n", f.APIURL)
	fmt.Fprintf(w, "CLERK_API_URL=%s\n", f.APIURL)
	fmt.Fprintf(w, "CLERK_SECRET_KEY=%s\n", f.SecretKey)
	fmt.Fprintf(w, "CLERK_PUBLISHABLE_KEY=%s\n", f.PublishableKey)
	fmt.Fprintf(w, "CLERK_JWT_KEY=%s\n\n", strconv.Quote(strings.TrimSpace(f.PublicKeyPEM)))
	fmt.Fprintf(w, "issuer:         %s\n", f.Issuer)
	fmt.Fprintf(w, "kid:            %s\n", f.KeyID)
	fmt.Fprintf(w, "jwks:           %s (Bearer secret key)\n", f.JWKSURL)
	fmt.Fprintf(w, "public jwks:    %s\n", f.PublicJWKSURL)
	fmt.Fprintf(w, "user:           %s\n", f.UserID)
	fmt.Fprintf(w, "organization:   %s\n", f.OrganizationID)
	fmt.Fprintf(w, "session:        %s\n", f.SessionID)
	fmt.Fprintf(w, "template:       %s\n\n", f.Template)
	fmt.Fprintf(w, "public key:\n%s\n", f.PublicKeyPEM)
	fmt.Fprintf(w, "session token:\n%s\n\n", f.SessionToken)
	fmt.Fprintf(w, "template token (%s):\n%s\n\n", f.Template, f.TemplateToken)
	fmt.Fprintf(w, "machine:        %s (may call the target machine)\n", f.MachineID)
	fmt.Fprintf(w, "machine key:    %s\n", f.MachineSecretKey)
	fmt.Fprintf(w, "target machine: %s\n", f.TargetMachineID)
	fmt.Fprintf(w, "target key:     %s\n\n", f.TargetMachineSecretKey)
	fmt.Fprintf(w, "m2m token (opaque):\n%s\n\n", f.M2MToken)
	fmt.Fprintf(w, "m2m token (JWT):\n%s\n\n", f.M2MJWT)
	fmt.Fprintf(w, "api key (%s):\n%s\n\n", f.UserID, f.APIKey)
	fmt.Fprintf(w, "oauth access token (%s):\n%s\n", f.OAuthClientID, f.OAuthToken)
}
