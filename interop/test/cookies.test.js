// Session tokens from cookies: Clerk's authenticateRequest and our
// Authenticate (gocli authenticate) judge the same requests, as requests
// that are not page loads (sec-fetch-dest: empty, Accept:
// application/json), so Clerk's SDK answers signed in or signed out and
// never a handshake. A table of request shapes covers the rules Clerk
// applies to a token in a cookie and not to one in the Authorization
// header: __client_uat, the development instance's dev browser, and the
// choice between the instance's suffixed cookies and the unsuffixed ones
// (AuthenticateContext.usesSuffixedCookies). Both sides must agree on
// signed in or out and, when both refuse, on the reason; when both sign
// in, on who. Where they differ on purpose the case pins Clerk's outcome
// beside ours with the reason, so a change on either side shows up here.
//
// Networkless: tokens are signed here with the instance's key, which both
// sides get as a PEM public key (jwtKey / CLERK_JWT_KEY).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, test } from 'node:test';

import { createClerkClient } from '@clerk/backend';

import { GOCLI_PKG, buildGo, goAuthenticate, signCompact } from './helpers.js';
import { AZP, PUBLISHABLE_KEY, SESSION, USER, makeKeys, sessionClaims, sessionHeader } from './tokens.js';

// The same Frontend API as a development and as a production instance:
// the dev browser rule and the expired-token clause of
// usesSuffixedCookies apply only to the former.
const INSTANCES = {
  dev: PUBLISHABLE_KEY,
  prod: 'pk_live_' + Buffer.from('clerk.interop.example$').toString('base64'),
};
// Clerk's cookie suffix: the first 8 characters of the URL-safe base64 of
// the publishable key's SHA-1. The suffixed-only cases below sign in on
// Clerk's side only if this is the name Clerk's SDK reads.
const suffixOf = (pk) => createHash('sha1').update(pk).digest('base64url').slice(0, 8);

// authenticateRequest insists on a secret key even when jwtKey makes it
// unnecessary; this one is never sent anywhere (nor is ours: with
// CLERK_JWT_KEY and session tokens only, gocli's Client makes no call).
const SECRET_KEY = 'sk_test_unusedWithJwtKey000000000000000000';
const DVB = 'dvb_2interopDevBrowser000000000';

// Built first, so a slow cold build cannot age the tokens.
await buildGo(GOCLI_PKG);
const keys = makeKeys();
const now = Math.floor(Date.now() / 1000);
const IAT = now - 5;
const OLDER = IAT - 60;

// session signs a session token with a chosen iat (signJwt cannot set
// one); claims given replace the defaults, undefined drops one.
function session({ iat = IAT, key = keys.privatePem, ...claims } = {}) {
  return signCompact({ alg: 'RS256', ...sessionHeader() }, { ...sessionClaims(now), iat, ...claims }, key);
}

const T = {
  valid: session(),
  older: session({ iat: OLDER }),
  // Signed by another key: refused whenever it is the cookie read, so a
  // case that signs in shows which cookie was chosen.
  forged: session({ key: keys.strangerPem }),
  forgedOlder: session({ iat: OLDER, key: keys.strangerPem }),
  foreign: session({ iss: 'https://clerk.other.example' }),
  noIss: session({ iss: undefined }),
  expired: session({ iat: now - 300, nbf: now - 310, exp: now - 120 }),
  noExp: session({ exp: undefined }),
  // Another instance's token whose payload repeats a member: JSON.parse
  // keeps the last; our strict parser refuses the payload.
  foreignRepeated: signCompact(
    { alg: 'RS256', ...sessionHeader() },
    JSON.stringify({ ...sessionClaims(now), iat: IAT, iss: 'https://clerk.other.example' }).replace(/}$/, ',"jti":"again"}'),
    keys.privatePem,
  ),
};

// jar builds a Cookie header; '*' in a name stands for the instance's
// suffix, and undefined values are left out.
const jar = (cookies) => (sfx) =>
  Object.entries(cookies)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.replace('*', sfx)}=${v}`)
    .join('; ');

// A browser's full set, unsuffixed and suffixed, for the suffix choices;
// the dev browser sits under both names there so it never decides them.
const both = (unsuffixed, suffixed) =>
  jar({
    __session: unsuffixed.session,
    __client_uat: unsuffixed.uat,
    __clerk_db_jwt: DVB,
    '__session_*': suffixed.session,
    '__client_uat_*': suffixed.uat,
    '__clerk_db_jwt_*': DVB,
  });

const IN = { authenticated: true, reason: '' };
const OUT = (reason) => ({ authenticated: false, reason });

// Reasons for the differences, each deliberate, some used by several
// cases.
const WHY = {
  nothing:
    "a request without a session token and without a signed-in __client_uat is session-token-missing in ours, as it was before the cookie rules; Clerk names it session-token-and-uat-missing",
  nothingDev:
    "ours applies the dev browser rule only once a session token or a signed-in __client_uat is there, and keeps session-token-missing for a request without either; Clerk checks the dev browser first",
  expired:
    "Clerk folds its refresh attempt into the reason for an expired session token from a request that is no page load; ours says token-expired",
  order:
    'Clerk compares __client_uat with the iat of the undecoded token before verifying it; ours verifies first, so a token that fails verification gets that reason',
  foreign:
    "Clerk's usesSuffixedCookies reads the suffixed cookies when the unsuffixed token belongs to another instance, even when there are no suffixed cookies, and finds nothing; ours reads the unsuffixed cookies when there is nothing suffixed, and refuses the token's iss",
  issuer:
    "Clerk's authenticateRequest checks no iss without an issuer option; ours requires the publishable key's instance in iss",
  bare: "Clerk's SDK takes an Authorization header without a space as the bare token; ours reads only the Bearer scheme",
};

// Each case: instance 'dev' (default) or 'prod'; request(sfx) gives
// {cookie} and/or {authorization}; want is ours, and Clerk's too unless
// clerk overrides fields (then why says why). A request with both a
// header and cookies cannot be given to gocli, which sends one or the
// other per line; there oursSees names the part ours is run on, the part
// our Authenticate reads: a Bearer header wins and cookies are then not
// read; any other Authorization header is ignored.
function cases() {
  return [
    // The Authorization header: no cookie rule applies.
    { name: 'Bearer header, development instance, no cookies at all', request: () => ({ authorization: `Bearer ${T.valid}` }), want: IN },
    { name: 'Bearer header, production instance', instance: 'prod', request: () => ({ authorization: `Bearer ${T.valid}` }), want: IN },
    {
      name: 'Bearer header with an expired token',
      request: () => ({ authorization: `Bearer ${T.expired}` }),
      want: OUT('token-expired'),
      clerk: OUT('session-token-expired-refresh-non-eligible-no-refresh-cookie'),
      why: WHY.expired,
    },
    { name: 'Authorization header without a scheme: the bare token', request: () => ({ authorization: T.valid }), want: OUT('session-token-missing'), clerk: IN, why: WHY.bare },

    // Header and cookies together.
    {
      name: 'Bearer header beside cookies whose __client_uat is newer than the token',
      request: (sfx) => ({ authorization: `Bearer ${T.valid}`, cookie: jar({ __session: T.valid, __client_uat: IAT + 1, __clerk_db_jwt: DVB })(sfx) }),
      oursSees: 'authorization',
      want: IN,
    },
    {
      name: 'Bearer header beside cookies without __client_uat or dev browser',
      request: (sfx) => ({ authorization: `Bearer ${T.valid}`, cookie: jar({ __session: T.valid, __client_uat: '0' })(sfx) }),
      oursSees: 'authorization',
      want: IN,
    },
    {
      name: 'forged token in the Bearer header beside a valid cookie set',
      request: (sfx) => ({ authorization: `Bearer ${T.forged}`, cookie: jar({ __session: T.valid, __client_uat: OLDER, __clerk_db_jwt: DVB })(sfx) }),
      oursSees: 'authorization',
      want: OUT('token-invalid-signature'),
    },
    {
      name: 'Basic Authorization header beside a valid cookie set: the cookies are read',
      request: (sfx) => ({ authorization: 'Basic dXNlcjpwYXNz', cookie: jar({ __session: T.valid, __client_uat: OLDER, __clerk_db_jwt: DVB })(sfx) }),
      oursSees: 'cookie',
      want: IN,
    },
    {
      name: 'Basic Authorization header beside cookies whose __client_uat is newer',
      request: (sfx) => ({ authorization: 'Basic dXNlcjpwYXNz', cookie: jar({ __session: T.valid, __client_uat: IAT + 1, __clerk_db_jwt: DVB })(sfx) }),
      oursSees: 'cookie',
      want: OUT('session-token-iat-before-client-uat'),
    },

    // __client_uat.
    { name: '__client_uat older than iat', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: OLDER, __clerk_db_jwt: DVB }) }), want: IN },
    { name: '__client_uat equal to iat', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: IAT, __clerk_db_jwt: DVB }) }), want: IN },
    { name: '__client_uat one second newer than iat', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: IAT + 1, __clerk_db_jwt: DVB }) }), want: OUT('session-token-iat-before-client-uat') },
    { name: '__client_uat absent', request: () => ({ cookie: jar({ __session: T.valid, __clerk_db_jwt: DVB }) }), want: OUT('session-token-but-no-client-uat') },
    { name: '__client_uat "0" (signed out in another tab)', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: '0', __clerk_db_jwt: DVB }) }), want: OUT('session-token-but-no-client-uat') },
    { name: '__client_uat not a number', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: 'abc', __clerk_db_jwt: DVB }) }), want: OUT('session-token-but-no-client-uat') },
    { name: '__client_uat empty', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: '', __clerk_db_jwt: DVB }) }), want: OUT('session-token-but-no-client-uat') },
    { name: '__client_uat with a non-numeric tail: its leading digits count', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: `${OLDER}abc`, __clerk_db_jwt: DVB }) }), want: IN },
    { name: '__client_uat negative', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: '-1', __clerk_db_jwt: DVB }) }), want: IN },
    { name: '__client_uat beyond any iat', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: '99999999999999999999', __clerk_db_jwt: DVB }) }), want: OUT('session-token-iat-before-client-uat') },
    { name: '__client_uat without a session cookie', request: () => ({ cookie: jar({ __client_uat: OLDER, __clerk_db_jwt: DVB }) }), want: OUT('client-uat-but-no-session-token') },
    { name: '__client_uat with an empty session cookie', request: () => ({ cookie: jar({ __session: '', __client_uat: OLDER, __clerk_db_jwt: DVB }) }), want: OUT('client-uat-but-no-session-token') },

    // Nothing to authenticate with.
    { name: 'development instance, no cookies at all', request: () => ({}), want: OUT('session-token-missing'), clerk: OUT('dev-browser-missing'), why: WHY.nothingDev },
    { name: 'development instance, __client_uat "0" and no dev browser', request: () => ({ cookie: jar({ __client_uat: '0' }) }), want: OUT('session-token-missing'), clerk: OUT('dev-browser-missing'), why: WHY.nothingDev },
    { name: 'development instance, the dev browser alone', request: () => ({ cookie: jar({ __clerk_db_jwt: DVB }) }), want: OUT('session-token-missing'), clerk: OUT('session-token-and-uat-missing'), why: WHY.nothing },
    { name: 'development instance, __client_uat "0" and the dev browser', request: () => ({ cookie: jar({ __client_uat: '0', __clerk_db_jwt: DVB }) }), want: OUT('session-token-missing'), clerk: OUT('session-token-and-uat-missing'), why: WHY.nothing },
    { name: 'production instance, no cookies at all', instance: 'prod', request: () => ({}), want: OUT('session-token-missing'), clerk: OUT('session-token-and-uat-missing'), why: WHY.nothing },
    { name: 'production instance, unrelated cookies only', instance: 'prod', request: () => ({ cookie: jar({ theme: 'dark', __client_uat: '0' }) }), want: OUT('session-token-missing'), clerk: OUT('session-token-and-uat-missing'), why: WHY.nothing },

    // The dev browser.
    { name: 'development instance, session and __client_uat without the dev browser', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: OLDER }) }), want: OUT('dev-browser-missing') },
    { name: 'development instance, session cookie alone', request: () => ({ cookie: jar({ __session: T.valid }) }), want: OUT('dev-browser-missing') },
    { name: 'development instance, __client_uat alone', request: () => ({ cookie: jar({ __client_uat: OLDER }) }), want: OUT('dev-browser-missing') },
    {
      name: 'development instance, empty dev browser cookie',
      request: () => ({ cookie: jar({ __session: T.valid, __client_uat: OLDER, __clerk_db_jwt: '' }) }),
      want: OUT('dev-browser-missing'),
    },
    { name: 'production instance, session and __client_uat without the dev browser', instance: 'prod', request: () => ({ cookie: jar({ __session: T.valid, __client_uat: OLDER }) }), want: IN },
    { name: 'production instance, session cookie without __client_uat', instance: 'prod', request: () => ({ cookie: jar({ __session: T.valid }) }), want: OUT('session-token-but-no-client-uat') },
    {
      name: 'unsuffixed session and __client_uat, only a suffixed dev browser',
      request: () => ({ cookie: jar({ __session: T.valid, __client_uat: OLDER, '__clerk_db_jwt_*': DVB }) }),
      want: OUT('dev-browser-missing'),
    },
    {
      name: 'suffixed session and __client_uat, only an unsuffixed dev browser',
      request: () => ({ cookie: jar({ '__session_*': T.valid, '__client_uat_*': OLDER, __clerk_db_jwt: DVB }) }),
      want: OUT('dev-browser-missing'),
    },

    // Suffixed cookies.
    { name: 'suffixed cookies only, development instance', request: () => ({ cookie: jar({ '__session_*': T.valid, '__client_uat_*': OLDER, '__clerk_db_jwt_*': DVB }) }), want: IN },
    { name: 'suffixed cookies only, production instance', instance: 'prod', request: () => ({ cookie: jar({ '__session_*': T.valid, '__client_uat_*': OLDER }) }), want: IN },
    {
      name: "suffixed cookies only, suffixed __client_uat newer than iat",
      request: () => ({ cookie: jar({ '__session_*': T.valid, '__client_uat_*': IAT + 1, '__clerk_db_jwt_*': DVB }) }),
      want: OUT('session-token-iat-before-client-uat'),
    },
    {
      name: 'suffixed session without a suffixed __client_uat, nothing unsuffixed: the unsuffixed cookies are read',
      request: both({}, { session: T.valid }),
      want: OUT('session-token-missing'),
      clerk: OUT('session-token-and-uat-missing'),
      why: WHY.nothing,
    },
    { name: 'both: suffixed token newer, the unsuffixed one forged: suffixed read', request: both({ session: T.forgedOlder, uat: OLDER }, { session: T.valid, uat: OLDER }), want: IN },
    { name: 'both: same iat, the unsuffixed one forged: suffixed read', request: both({ session: T.forged, uat: OLDER }, { session: T.valid, uat: OLDER }), want: IN },
    { name: 'both: unsuffixed token newer, the suffixed one forged: unsuffixed read', request: both({ session: T.valid, uat: OLDER }, { session: T.forgedOlder, uat: OLDER }), want: IN },
    {
      name: 'both: unsuffixed token newer but unsuffixed __client_uat "0": suffixed read',
      request: both({ session: T.forged, uat: '0' }, { session: T.older, uat: OLDER - 1 }),
      want: IN,
    },
    { name: 'both: suffixed __client_uat "0", unsuffixed signed in: unsuffixed read', request: both({ session: T.older, uat: OLDER }, { session: T.forged, uat: '0' }), want: IN },
    { name: 'both: suffixed __client_uat "0" and unsuffixed "0"', request: both({ session: T.valid, uat: '0' }, { session: T.valid, uat: '0' }), want: OUT('session-token-but-no-client-uat') },
    {
      name: 'both: suffixed session without suffixed __client_uat, unsuffixed older and signed in: unsuffixed read',
      request: both({ session: T.older, uat: OLDER }, { session: T.forged }),
      want: IN,
    },
    { name: 'both: suffixed __client_uat without a suffixed session, unsuffixed signed in: unsuffixed read', request: both({ session: T.valid, uat: OLDER }, { uat: OLDER }), want: IN },
    {
      name: 'development: suffixed token expired, unsuffixed __client_uat "0": unsuffixed read',
      request: both({ session: T.valid, uat: '0' }, { session: T.expired, uat: now - 400 }),
      want: OUT('session-token-but-no-client-uat'),
    },
    {
      name: 'production: suffixed token expired, unsuffixed __client_uat "0": suffixed read',
      instance: 'prod',
      request: both({ session: T.valid, uat: '0' }, { session: T.expired, uat: now - 400 }),
      want: OUT('token-expired'),
      clerk: OUT('session-token-expired-refresh-non-eligible-no-refresh-cookie'),
      why: WHY.expired,
    },
    { name: "unsuffixed token of another instance beside the suffixed set: suffixed read", request: both({ session: T.foreign, uat: OLDER }, { session: T.valid, uat: OLDER }), want: IN },
    {
      name: 'unsuffixed token of another instance alone, development',
      request: () => ({ cookie: jar({ __session: T.foreign, __client_uat: OLDER, __clerk_db_jwt: DVB }) }),
      want: OUT('token-invalid-issuer'),
      clerk: OUT('dev-browser-missing'),
      why: WHY.foreign,
    },
    {
      name: 'unsuffixed token of another instance alone, production',
      instance: 'prod',
      request: () => ({ cookie: jar({ __session: T.foreign, __client_uat: OLDER }) }),
      want: OUT('token-invalid-issuer'),
      clerk: OUT('session-token-and-uat-missing'),
      why: WHY.foreign,
    },
    {
      name: 'unsuffixed token without iss beside the suffixed set: unsuffixed read',
      request: both({ session: T.noIss, uat: OLDER }, { session: T.valid, uat: OLDER }),
      want: OUT('token-invalid-issuer'),
      clerk: IN,
      why: WHY.issuer,
    },
    {
      name: 'development: suffixed token without exp, unsuffixed __client_uat "0"',
      request: both({ session: T.valid, uat: '0' }, { session: T.noExp, uat: OLDER }),
      want: OUT('token-verification-failed'),
    },
    {
      name: 'unsuffixed token of another instance with a repeated member beside the suffixed set',
      request: both({ session: T.foreignRepeated, uat: OLDER }, { session: T.valid, uat: OLDER }),
      want: IN,
    },
    { name: 'unsuffixed cookie that is no JWT beside the suffixed set: unsuffixed read', request: both({ session: 'not-a-jwt', uat: OLDER }, { session: T.valid, uat: OLDER }), want: OUT('token-invalid') },

    // Expired and failing tokens in the cookie.
    {
      name: 'expired token in the cookie, older __client_uat',
      request: () => ({ cookie: jar({ __session: T.expired, __client_uat: now - 400, __clerk_db_jwt: DVB }) }),
      want: OUT('token-expired'),
      clerk: OUT('session-token-expired-refresh-non-eligible-no-refresh-cookie'),
      why: WHY.expired,
    },
    {
      name: 'expired token in the cookie, newer __client_uat',
      request: () => ({ cookie: jar({ __session: T.expired, __client_uat: IAT, __clerk_db_jwt: DVB }) }),
      want: OUT('token-expired'),
      clerk: OUT('session-token-iat-before-client-uat'),
      why: WHY.order,
    },
    {
      name: 'forged token in the cookie, newer __client_uat',
      request: () => ({ cookie: jar({ __session: T.forged, __client_uat: IAT + 1, __clerk_db_jwt: DVB }) }),
      want: OUT('token-invalid-signature'),
      clerk: OUT('session-token-iat-before-client-uat'),
      why: WHY.order,
    },
    { name: 'forged token in the cookie, older __client_uat', request: () => ({ cookie: jar({ __session: T.forged, __client_uat: OLDER, __clerk_db_jwt: DVB }) }), want: OUT('token-invalid-signature') },
  ];
}

// materialize turns a case's request into the headers both sides get:
// request(sfx) is a Cookie header builder (jar, both) or gives
// {authorization, cookie}, where cookie may be a builder too.
function materialize(c) {
  const sfx = suffixOf(INSTANCES[c.instance ?? 'dev']);
  const req = c.request(sfx);
  if (typeof req === 'string') return { cookie: req };
  if (typeof req.cookie === 'function') return { ...req, cookie: req.cookie(sfx) };
  return req;
}

// clerkCaller runs Clerk's authenticateRequest on one request that is no
// page load. A handshake would count as signed out with its reason, but
// these requests must never get one: the test asserts the status.
async function clerkCaller(c, req) {
  const headers = { 'sec-fetch-dest': 'empty', accept: 'application/json' };
  if (req.authorization !== undefined) headers.authorization = req.authorization;
  if (req.cookie !== undefined) headers.cookie = req.cookie;
  const client = createClerkClient({
    secretKey: SECRET_KEY,
    publishableKey: INSTANCES[c.instance ?? 'dev'],
    jwtKey: keys.publicPem,
    telemetry: { disabled: true },
  });
  const state = await client.authenticateRequest(new Request('http://localhost:3000/api/data', { headers }), {
    authorizedParties: [AZP],
  });
  const out = { status: state.status, authenticated: state.isAuthenticated, reason: state.reason ?? '' };
  if (state.isAuthenticated) {
    const auth = state.toAuth();
    out.who = { subject: auth.userId, sessionId: auth.sessionId };
  }
  return out;
}

// ourCallers runs the table through gocli, one process per instance.
async function ourCallers(table, requests) {
  const results = new Array(table.length);
  for (const [instance, pk] of Object.entries(INSTANCES)) {
    const indices = [...table.keys()].filter((i) => (table[i].instance ?? 'dev') === instance);
    const lines = indices.map((i) => {
      const req = requests[i];
      const part = table[i].oursSees ?? (req.authorization !== undefined ? 'authorization' : 'cookie');
      return req[part] === undefined ? {} : { [part]: req[part] };
    });
    const env = {
      CLERK_SECRET_KEY: SECRET_KEY,
      CLERK_JWT_KEY: keys.publicPem,
      CLERK_PUBLISHABLE_KEY: pk,
      CLERK_AUTHORIZED_PARTIES: AZP,
    };
    const out = await goAuthenticate(lines, {}, env);
    for (const [j, i] of indices.entries()) results[i] = out[j];
  }
  return results;
}

test('the cookie table has at least 30 cases, each difference says why, each mixed request says what ours sees', () => {
  const table = cases();
  assert.ok(table.length >= 30, `${table.length} cases`);
  assert.equal(new Set(table.map((c) => c.name)).size, table.length, 'unique names');
  for (const c of table) {
    assert.equal(c.clerk === undefined, c.why === undefined, c.name);
    const req = materialize(c);
    const mixed = req.authorization !== undefined && req.cookie !== undefined;
    assert.equal(mixed, c.oursSees !== undefined, `${c.name}: oursSees exactly when gocli cannot send the whole request`);
  }
});

test("the suffixed cookie names are the ones Clerk's SDK reads and ours too", async () => {
  // Only a suffixed set, and one whose suffix is off by a character:
  // the first signs in on both sides, the second on neither.
  const sfx = suffixOf(INSTANCES.prod);
  const good = `__session_${sfx}=${T.valid}; __client_uat_${sfx}=${OLDER}`;
  const wrong = `__session_${sfx}x=${T.valid}; __client_uat_${sfx}x=${OLDER}`;
  const c = { instance: 'prod' };
  assert.equal((await clerkCaller(c, { cookie: good })).authenticated, true, "Clerk's, right suffix");
  assert.equal((await clerkCaller(c, { cookie: wrong })).authenticated, false, "Clerk's, wrong suffix");
  const env = { CLERK_SECRET_KEY: SECRET_KEY, CLERK_JWT_KEY: keys.publicPem, CLERK_PUBLISHABLE_KEY: INSTANCES.prod };
  const [g, w] = await goAuthenticate([{ cookie: good }, { cookie: wrong }], {}, env);
  assert.equal(g.authenticated, true, `ours, right suffix (${g.message})`);
  assert.equal(w.authenticated, false, 'ours, wrong suffix');
});

describe("session tokens from cookies: Clerk's authenticateRequest and ours", () => {
  const table = cases();
  const requests = table.map(materialize);
  let ours;
  before(async () => {
    ours = await ourCallers(table, requests);
  }, { timeout: 60_000 });

  for (const [i, c] of table.entries()) {
    test(c.name, async () => {
      const o = ours[i];
      const clerk = await clerkCaller(c, requests[i]);

      assert.deepEqual({ authenticated: o.authenticated, reason: o.reason ?? '' }, c.want, `ours (${o.message ?? 'signed in'})`);
      if (o.authenticated) assert.deepEqual({ subject: o.subject, sessionId: o.sessionId }, { subject: USER, sessionId: SESSION }, 'ours: who');

      assert.notEqual(clerk.status, 'handshake', 'a request that is no page load gets no handshake');
      const { who, status, ...verdict } = clerk;
      assert.deepEqual(verdict, { ...c.want, ...c.clerk }, `Clerk's (${status})`);
      if (who) assert.deepEqual(who, { subject: USER, sessionId: SESSION }, "Clerk's: who");
    });
  }
});
