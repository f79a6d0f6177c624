// Package clerkecho makes clerkkit native in echo v5: middleware that
// attaches the Clerk session to each request, a guard that refuses it when
// it is signed out or lacks a role, permission, feature, plan or recent
// verification, getToken for the current session, and routes open to
// machine callers (M2M tokens, API keys, OAuth access tokens).
//
// Wire [Middleware] ahead of [RequireAuth], [GetToken] and [TokenHandler]:
// without it they refuse the request and log clerk.ErrNoMiddleware, whose
// message says what to add. The *clerk.Client is an argument of GetToken
// and TokenHandler, not a Middleware option; the Authenticator takes it
// with clerk.WithClient (or clerk.NewAuthenticatorFromEnv(client)) to fetch
// the keys when CLERK_JWT_KEY is unset and to verify machine tokens.
//
//	e := echo.New()
//	e.HTTPErrorHandler = clerkecho.ErrorHandler
//	e.Use(clerkecho.Middleware(authn))
//	api := e.Group("/api", clerkecho.RequireAuth())
//	api.GET("/get-token-example", clerkecho.TokenHandler(client, "test"))
//	api.GET("/admin", adminHandler, clerkecho.RequireAuth(clerk.Role("admin")))
//
// # Module path and package name
//
// The module is github.com/clerkkit/clerkkit/echov5 and its package is
// clerkecho, the same name as the echo v4 adapter's
// (github.com/clerkkit/clerkkit/echo). The import path names the
// framework's major, as echo's own does (github.com/labstack/echo/v5 is
// package echo); code reads clerkecho.Middleware either way, so moving an
// app from echo v4 to v5 changes its imports and its handlers' *echo.Context,
// not its calls. A program that needs both adapters at once (while it
// migrates) imports one of them under another name.
//
// # The pieces
//
// They mirror Clerk's Next.js SDK:
//
//   - [Middleware] is clerkMiddleware: it verifies the session token (an
//     "Authorization: Bearer" header, else the __session cookie) through a
//     *clerk.Authenticator and stores the *clerk.Auth in the echo context
//     and in the request's context.Context. It never rejects, and returns
//     the next handler's error unchanged. As in Clerk, a token from the
//     __session cookie counts only beside the __client_uat cookie a
//     browser sends with it (and, on a development instance, the
//     __clerk_db_jwt dev browser cookie); without them the request is
//     signed out with Clerk's reason (session-token-but-no-client-uat, …).
//   - [RequireAuth] is auth.protect(): it returns a [*GuardError] with
//     clerk.Authorize's status and body, 401 when signed out, 403 when a
//     clerk.Requirement is unmet (Clerk's reverification body when only a
//     verification is too old), 503 when Clerk could not be asked, so the
//     app's HTTPErrorHandler renders it as it renders every other error.
//     It panics where it is built on a requirement that can never be met.
//   - [GuardError] is echo v5's error that knows its answer: an
//     echo.HTTPStatusCoder and a json.Marshaler of its body. echo's
//     DefaultHTTPErrorHandler writes that body as it is (plus the newline
//     of its JSON encoder); it unwraps to the *clerk.AuthError saying why.
//   - [ErrorHandler] is an HTTPErrorHandler that answers as echo's default
//     one without the trailing newline, so the guards' refusals read
//     {"message":"Unauthorized"}, {"message":"Forbidden"}, Clerk's
//     reverification body and {"message":"Service Unavailable"} byte for
//     byte as in the gin, fiber and net/http adapters.
//   - [AcceptsToken] is acceptsToken: the kinds of token a Middleware
//     accepts, machine tokens included (see Machine callers below).
//   - [RequireAuthenticated] guards a route open to machine callers: 401
//     without an accepted token, 503 when Clerk could not be asked.
//   - [GetAuth] is auth(): the request's *clerk.Auth, with ok false when
//     Middleware did not run (a wiring mistake, not a signed-out request).
//   - [GetToken] is auth().getToken({template}) for the request's session,
//     minted by the *clerk.Client it is given. A signed-out request gets
//     its *clerk.AuthError and Clerk is not called.
//   - [TokenHandler] is the App Router route of Clerk's getToken example,
//     answering {"token":{"jwt":"…"}} or what clerk.Client.TokenResponse
//     says for a failure.
//
// The Client is passed where tokens are minted rather than to Middleware,
// so a route that mints cannot be wired without one; its logger
// (clerk.WithLogger) is where TokenHandler's failures go.
//
// echo's context only takes string keys, so the Auth is stored under a key
// prefixed with this module's path; read it with GetAuth.
//
// The adapter only translates: authentication, authorization, minting,
// caching, retries and the error mapping live in the core module, and the
// options and wiring checks every adapter shares in core/adapter.
//
// # Guards
//
// RequireAuth takes Clerk's has() dimensions as clerk.Requirement values;
// all of them must be met:
//
//	e.GET("/members", h, clerkecho.RequireAuth(clerk.Role("admin"), clerk.Permission("memberships:manage")))
//	e.GET("/export", h, clerkecho.RequireAuth(clerk.Feature("export"), clerk.Plan("org:pro")))
//	e.POST("/account/delete", h, clerkecho.RequireAuth(clerk.Reverification("strict")))
//
// A signed-in user who meets every other requirement but verified too long
// ago gets a 403 whose body Clerk's front end reads (useReverification) to
// ask the user to verify again and retry:
//
//	{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
//
// ErrorHandler writes it byte for byte, and echo's default handler (either
// way it is built) writes the same JSON followed by a newline. An app's
// own handler finds the [*GuardError] with errors.As and must send its
// Body unchanged for the front end to prompt; echo.StatusCode(err) is its
// status.
//
// # Machine callers
//
// A route can also accept other services' M2M tokens, customers' API keys
// and OAuth access tokens, as Clerk's acceptsToken option does: give its
// Middleware [AcceptsToken] and guard it with [RequireAuthenticated].
//
//	e.GET("/api/machine", func(c *echo.Context) error {
//		a, _ := clerkecho.GetAuth(c)
//		return c.String(http.StatusOK, a.Subject()) // mch_… for an M2M token
//	}, clerkecho.Middleware(authn, clerkecho.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)),
//		clerkecho.RequireAuthenticated())
//
// A route's Middleware replaces the Auth of an app-wide one. A machine
// caller is authenticated but never signed in, so RequireAuth refuses it:
// [RequireAuthenticated] (clerk.AuthorizeCaller) lets in any accepted
// token, and *clerk.Auth's TokenType, Subject, TokenID, Scopes and Name
// describe the caller. Opaque tokens are verified over Clerk's Backend API
// (the Authenticator needs clerk.WithClient); when Clerk cannot be asked
// both guards return a 503, which ErrorHandler renders as
// {"message":"Service Unavailable"}, so the caller retries.
//
// # From the echo v4 adapter
//
// The API is the same but for echo v5's own changes:
//
//   - handlers and GetAuth, GetToken take a *echo.Context;
//   - ErrorHandler has echo v5's HTTPErrorHandler signature, (c, err);
//   - an *echo.HTTPError's message is a string in v5, so the guards return
//     a *GuardError rather than an *echo.HTTPError; its cause is its
//     Unwrap (errors.As, errors.Is) rather than the Internal field;
//   - AcceptsToken with no kinds panics instead of meaning the default:
//     leave the option out for the Authenticator's default;
//   - echo v5 has no Debug mode: ErrorHandler never puts an error's text in
//     the answer.
package clerkecho
