// Package adapter is what every framework adapter of clerkkit shares, so
// that an adapter's own files hold only framework code: the options of its
// Middleware, checked where the middleware is built, and the few decisions
// it turns into its framework's answers.
//
// An adapter for another framework needs exactly this:
//
//   - a clerk.Carrier over the framework's request (a header and a cookie
//     by name; copy strings the framework will reuse);
//   - Middleware(authn, opts...): cfg := adapter.NewConfig(authn, opts),
//     then per request auth := authn.Authenticate(ctx, carrier,
//     cfg.Accepts...), the Auth stored in the framework's context and the
//     request's context.Context, and cfg.ReasonHeader(auth), when not
//     empty, set as the clerk.ReasonHeader response header;
//   - RequireAuth(reqs...): adapter.Requirements(reqs) where it is built,
//     then clerk.Authorize(auth, reqs...) per request, its status and body
//     written as they are (or as the framework's error, rendered by the
//     adapter's ErrorHandler); RequireAuthenticated the same with
//     clerk.AuthorizeCaller;
//   - GetAuth, GetToken(c, client, template) through client.GetTokenFor,
//     and TokenHandler(client, template) writing client.TokenResponse.
//
// core/clerktest/adaptertest is the conformance suite they all pass.
package adapter
