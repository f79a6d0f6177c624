package clerk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiObservation follows one requester call for an Observer. A nil
// *apiObservation observes nothing, so requester.do calls its methods
// unconditionally and pays a nil check when no one watches.
type apiObservation struct {
	o     *Observer
	call  APICall
	start time.Time
	// last attempt's outcome, for APICallEnd
	attempts   int
	statusCode int
	traceID    string
}

// observeCall begins observing a call, or returns nil when o has no API
// hook. The context it returns carries what APICallStart added.
func (o *Observer) observeCall(ctx context.Context, method, target string) (context.Context, *apiObservation) {
	if o == nil || (o.APICallStart == nil && o.APIAttempt == nil && o.APICallEnd == nil) {
		return ctx, nil
	}
	ob := &apiObservation{o: o, call: describeCall(method, target), start: time.Now()}
	if o.APICallStart != nil {
		if next := o.APICallStart(ctx, ob.call); next != nil {
			ctx = next
		}
	}
	return ctx, ob
}

// begin returns the start of an attempt (the zero time when not observing).
func (ob *apiObservation) begin() time.Time {
	if ob == nil {
		return time.Time{}
	}
	return time.Now()
}

// attempt records one attempt's outcome; retry and wait say what follows.
func (ob *apiObservation) attempt(ctx context.Context, began time.Time, status int, err error, retry bool, wait time.Duration) {
	if ob == nil {
		return
	}
	ob.attempts++
	ob.statusCode, ob.traceID = status, traceIDOf(err)
	if ob.o.APIAttempt != nil {
		ob.o.APIAttempt(ctx, ob.call, APIAttempt{
			Number: ob.attempts, StatusCode: status, TraceID: ob.traceID, Err: err,
			Duration: time.Since(began), Retry: retry, Wait: wait,
		})
	}
}

// end reports the call's result: err is the error the caller gets.
func (ob *apiObservation) end(ctx context.Context, err error) {
	if ob == nil || ob.o.APICallEnd == nil {
		return
	}
	ob.o.APICallEnd(ctx, ob.call, APICallResult{
		Attempts: ob.attempts, StatusCode: ob.statusCode, TraceID: ob.traceID, Err: err,
		Duration: time.Since(ob.start),
	})
}

func traceIDOf(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.TraceID
	}
	return ""
}

// describeCall labels a call by matching the end of its path against the
// endpoints Clerk has, so that any caller of the requester is labelled
// without passing anything, and the path itself (which names a session or
// a token id) never becomes a label. An API URL with a path of its own (a
// proxy) keeps working, since only the tail is matched.
func describeCall(method, target string) APICall {
	call := APICall{Endpoint: EndpointOther, Method: method}
	u, err := url.Parse(target)
	if err != nil {
		return call
	}
	call.ServerAddress = u.Hostname()
	if p, err := strconv.Atoi(u.Port()); err == nil {
		call.ServerPort = p
	} else if u.Scheme == "https" {
		call.ServerPort = 443
	} else if u.Scheme == "http" {
		call.ServerPort = 80
	}
	call.Endpoint, call.Route = classifyPath(method, strings.Split(strings.Trim(u.EscapedPath(), "/"), "/"))
	return call
}

// classifyPath finds the endpoint whose path ends segs. getToken comes
// first: its template segment could be any of the other tails' last
// words. The route keeps a "/v1" that precedes the tail.
func classifyPath(method string, segs []string) (Endpoint, string) {
	n := len(segs)
	at := func(i int) string {
		if i < 0 || i >= n {
			return ""
		}
		return segs[i]
	}
	last := at(n - 1)
	var e Endpoint
	var route string
	var tail int
	switch {
	case at(n-3) == "sessions" && last == "tokens":
		e, route, tail = EndpointGetToken, "/sessions/{session_id}/tokens", 3
	case at(n-4) == "sessions" && at(n-2) == "tokens":
		e, route, tail = EndpointGetToken, "/sessions/{session_id}/tokens/{template}", 4
	case at(n-2) == ".well-known" && last == "jwks.json":
		e, route, tail = EndpointJWKS, "/.well-known/jwks.json", 2
	case last == "jwks":
		e, route, tail = EndpointJWKS, "/jwks", 1
	case at(n-2) == "m2m_tokens" && last == "verify":
		e, route, tail = EndpointVerifyM2MToken, "/m2m_tokens/verify", 2
	case at(n-2) == "api_keys" && last == "verify":
		e, route, tail = EndpointVerifyAPIKey, "/api_keys/verify", 2
	case at(n-3) == "oauth_applications" && at(n-2) == "access_tokens" && last == "verify":
		e, route, tail = EndpointVerifyOAuthToken, "/oauth_applications/access_tokens/verify", 3
	case at(n-3) == "m2m_tokens" && last == "revoke":
		e, route, tail = EndpointRevokeM2MToken, "/m2m_tokens/{m2m_token_id}/revoke", 3
	case last == "m2m_tokens" && method == http.MethodPost:
		e, route, tail = EndpointCreateM2MToken, "/m2m_tokens", 1
	default:
		return EndpointOther, ""
	}
	if at(n-tail-1) == apiVersion {
		route = "/" + apiVersion + route
	}
	return e, route
}
