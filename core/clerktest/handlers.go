package clerktest

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bounds of expires_in_seconds from the Backend API specification.
const (
	minExpiresIn = 30
	maxExpiresIn = 315360000 // ten years
)

// route is the result of matching a path: which endpoint, which methods it
// takes, which keys it accepts, and its decoded path parameters.
type route struct {
	endpoint  string
	methods   []string
	auth      authMode
	sessionID string
	template  string
	templated bool
	id        string // the token or API key id of a revoke
}

// authMode says which secret keys an endpoint accepts.
type authMode int

const (
	authNone              authMode = iota
	authInstance                   // the instance secret key
	authInstanceOrMachine          // the instance key or a machine secret key
	authMachine                    // a machine secret key only
)

// matchRoute splits the escaped path and decodes each segment exactly once,
// so "%2F" inside a session id stays part of that id instead of becoming a
// path separator, and "%252F" arrives as the literal "%2F".
func matchRoute(escapedPath string) route {
	raw := strings.Split(escapedPath, "/")
	segs := make([]string, len(raw))
	for i, seg := range raw {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return route{endpoint: EndpointUnknown}
		}
		segs[i] = dec
	}
	get := []string{http.MethodGet, http.MethodHead}
	post := []string{http.MethodPost}
	switch {
	case len(segs) == 3 && segs[0] == "" && raw[1] == ".well-known" && raw[2] == "jwks.json":
		return route{endpoint: EndpointPublicJWKS, methods: get}
	case len(segs) == 3 && segs[0] == "" && raw[1] == "v1" && raw[2] == "jwks":
		return route{endpoint: EndpointJWKS, methods: get, auth: authInstance}
	case len(segs) == 5 && segs[0] == "" && raw[1] == "v1" && raw[2] == "sessions" && raw[4] == "tokens":
		return route{endpoint: EndpointTokens, methods: post, auth: authInstance, sessionID: segs[3]}
	case len(segs) == 6 && segs[0] == "" && raw[1] == "v1" && raw[2] == "sessions" && raw[4] == "tokens":
		return route{endpoint: EndpointTokens, methods: post, auth: authInstance, sessionID: segs[3], template: segs[5], templated: true}
	}
	if segs[0] == "" {
		if rt, ok := matchMachineRoute(raw[1:], segs[1:]); ok {
			return rt
		}
	}
	return route{endpoint: EndpointUnknown}
}

// serveHTTP runs every request through the same pipeline: record, delay,
// injected fault, routing, authentication, handler. Faults come before
// authentication because the outages they model happen in front of Clerk's
// key check.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rt := matchRoute(r.URL.EscapedPath())
	body, bodyErr := s.record(r, rt.endpoint)
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if s.logger != nil {
			s.logger.Info("clerktest request", "method", r.Method, "path", r.URL.EscapedPath(),
				"endpoint", rt.endpoint, "status", sw.status, "duration", time.Since(start))
		}
	}()

	if d := s.latencyFor(rt.endpoint); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closed:
			t.Stop()
			return
		}
	}
	if _, handled := s.applyFault(sw, rt.endpoint); handled {
		return
	}
	if rt.endpoint == EndpointUnknown {
		s.writeError(sw, http.StatusNotFound, errNotFound("Resource not found"))
		return
	}
	if !slices.Contains(rt.methods, r.Method) {
		sw.Header().Set("Allow", strings.Join(rt.methods, ", "))
		s.writeError(sw, http.StatusMethodNotAllowed, errMethodNotAllowed(r.Method))
		return
	}
	var caller string // the machine whose secret key authenticated, if any
	if rt.auth != authNone {
		var status int
		var e apiError
		var ok bool
		if caller, status, e, ok = s.authenticate(r, rt.auth); !ok {
			s.writeError(sw, status, e)
			return
		}
		if !validAPIVersion(r.Header.Values("Clerk-API-Version")) {
			s.writeError(sw, http.StatusBadRequest, errAPIVersionInvalid())
			return
		}
	}
	switch rt.endpoint {
	case EndpointJWKS, EndpointPublicJWKS:
		sw.Header().Set("Content-Type", "application/json")
		sw.WriteHeader(http.StatusOK)
		_, _ = sw.Write(s.JWKS())
	case EndpointTokens:
		if bodyErr != nil || len(body) > maxRecordedBody {
			s.writeError(sw, http.StatusBadRequest, errBodyInvalid())
			return
		}
		s.handleToken(sw, rt, body)
	default:
		if bodyErr != nil || len(body) > maxRecordedBody {
			s.writeError(sw, http.StatusBadRequest, errBadRequest("", "The request body could not be read or is too large."))
			return
		}
		s.serveMachine(sw, rt, caller, body)
	}
}

// authenticate checks "Authorization: Bearer <secret key>" against the keys
// mode accepts and returns the machine id when a machine secret key
// matched. Comparisons are constant-time so the emulator never models a
// timing oracle that tests might come to depend on.
func (s *Server) authenticate(r *http.Request, mode authMode) (machineID string, status int, e apiError, ok bool) {
	h := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || key == "" || strings.ContainsAny(key, " \t") {
		return "", http.StatusUnauthorized, errAuthHeaderFormat(), false
	}
	instance := subtle.ConstantTimeCompare([]byte(key), []byte(s.secretKey)) == 1
	switch {
	case instance && mode != authMachine:
		return "", 0, apiError{}, true
	case instance:
		return "", http.StatusUnauthorized, errMachineKeyRequired(), false
	case mode == authInstance:
		return "", http.StatusUnauthorized, errSecretKeyInvalid(), false
	}
	if id, found := s.machineByKey(key); found {
		return id, 0, apiError{}, true
	}
	return "", http.StatusUnauthorized, errSecretKeyInvalid(), false
}

// validAPIVersion accepts what Clerk does for the dated API version: no
// header (the instance's default applies) or one YYYY-MM-DD date. Clerk also
// refuses dates it never published; the emulator cannot know that list, so
// it refuses only what is not a date, enough for a client to test its
// handling of api_version_invalid.
func validAPIVersion(values []string) bool {
	switch len(values) {
	case 0:
		return true
	case 1:
		_, err := time.Parse(time.DateOnly, values[0])
		return err == nil
	}
	return false
}

// handleToken serves both token endpoints.
func (s *Server) handleToken(w http.ResponseWriter, rt route, body []byte) {
	expiresIn, e, status := parseTokenBody(body)
	if status != 0 {
		s.writeError(w, status, e)
		return
	}
	var opts []TokenOption
	if expiresIn > 0 {
		opts = append(opts, TokenLifetime(time.Duration(expiresIn)*time.Second))
	}
	jwt, err := s.mint(rt.sessionID, rt.template, rt.templated, true, opts)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, struct {
			Object string `json:"object"`
			JWT    string `json:"jwt"`
		}{"token", jwt})
	case errors.Is(err, ErrSessionNotFound):
		s.writeError(w, http.StatusNotFound, errNotFound("Resource not found"))
	case errors.Is(err, ErrTemplateNotFound):
		s.writeError(w, http.StatusNotFound, errTemplateNotFound(rt.template))
	default:
		// The emulator's own state is inconsistent (say, an active
		// organization without a membership); say so plainly.
		s.writeError(w, http.StatusInternalServerError, errInternal(err.Error()))
	}
}

// parseTokenBody accepts an empty body or a JSON object whose only member is
// expires_in_seconds (an integer in range, or null for the default).
func parseTokenBody(body []byte) (expiresIn int64, e apiError, status int) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return 0, apiError{}, 0
	}
	var fields map[string]json.RawMessage
	if err := decodeJSON(body, &fields); err != nil || fields == nil {
		return 0, errBodyInvalid(), http.StatusBadRequest
	}
	for name := range fields {
		if name != "expires_in_seconds" {
			return 0, errParamUnknown(name), http.StatusUnprocessableEntity
		}
	}
	raw, ok := fields["expires_in_seconds"]
	if !ok || string(raw) == "null" {
		return 0, apiError{}, 0
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, errParamFormat("expires_in_seconds", "expires_in_seconds must be an integer number of seconds."), http.StatusUnprocessableEntity
	}
	if n < minExpiresIn || n > maxExpiresIn {
		return 0, errParamValue("expires_in_seconds", "expires_in_seconds must be between 30 and 315360000."), http.StatusUnprocessableEntity
	}
	return n, apiError{}, 0
}

// statusWriter remembers the status for the request log and unwraps for
// http.ResponseController, which the drop fault uses to hijack.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
