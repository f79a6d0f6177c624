// Machine callers: Clerk's authenticateRequest with acceptsToken and our
// Authenticate (gocli authenticate), both pointed at the emulator, judge
// the same requests. A table of cases must agree on authenticated and
// tokenType and, when both authenticate, on who the caller is (subject,
// token id, scopes, an API key's name). Where the two differ on purpose,
// the case pins Clerk's outcome beside ours with the reason, so a change
// on either side shows up here first.
//
// The emulator signs with a key made here (-key-file), so this file can
// also sign the JWTs the emulator's control channel cannot mint (an OAuth
// audience, an M2M scopes array); both sides see them as the instance's.
// The table runs twice: keys from the PEM public key (jwtKey /
// CLERK_JWT_KEY) and from the Backend API's key set.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createClerkClient } from '@clerk/backend';

import { GOCLI_PKG, buildGo, goAuthenticate, signCompact, startEmulator } from './helpers.js';
import { b64url, makeKeys } from './tokens.js';

const CAT_M2M = 'cl_B7d4PD333AAA';
// The audience an OAuth route requires in the audience cases.
const AUD = 'https://api.interop.example';
// A publishable key of another instance.
const OTHER_PK = 'pk_test_' + Buffer.from('clerk.other.example$').toString('base64');

// Built first, so a slow cold build cannot age the tokens.
await buildGo(GOCLI_PKG);
const keys = makeKeys();
const keyDir = mkdtempSync(path.join(tmpdir(), 'clerkkit-machine-'));
process.on('exit', () => rmSync(keyDir, { recursive: true, force: true }));
const keyFile = path.join(keyDir, 'instance.pem');
writeFileSync(keyFile, keys.privatePem, { mode: 0o600 });

let emu;
let f; // the emulator's startup facts

before(async () => {
  emu = await startEmulator(['-key-file', keyFile]);
  f = emu.facts;
  assert.equal(f.public_key_pem, keys.publicPem, 'the emulator signs with our key');
}, { timeout: 60_000 });

after(async () => {
  await emu?.stop();
});

const hex = () => randomBytes(16).toString('hex');
const nowSec = () => Math.floor(Date.now() / 1000);
const mint = async (kind, mode = 'valid') => (await emu.control(`machine-token ${kind} ${mode}`)).token;

// m2mJwt and oauthJwt sign machine JWTs as Clerk shapes them; claims and
// header members given replace the defaults (undefined drops one).
function m2mJwt(claims = {}, { header = {}, key = keys.privatePem } = {}) {
  const now = nowSec();
  return signCompact(
    { alg: 'RS256', kid: f.kid, typ: 'JWT', cat: CAT_M2M, ...header },
    { iss: f.issuer, sub: f.machine_id, jti: `mt_${hex()}`, iat: now, nbf: now, exp: now + 600, ...claims },
    key,
  );
}

function oauthJwt(claims = {}, { header = {}, key = keys.privatePem } = {}) {
  const now = nowSec();
  return signCompact(
    { alg: 'RS256', kid: f.kid, typ: 'at+jwt', ...header },
    {
      iss: f.issuer,
      sub: f.user_id,
      client_id: f.oauth_client_id,
      jti: `oat_${hex()}`,
      iat: now,
      nbf: now,
      exp: now + 600,
      ...claims,
    },
    key,
  );
}

// A browser's cookies for a development instance: the session cookie, a
// client_uat older than any token, and a dev browser token, without which
// Clerk's SDK answers a handshake before looking at __session.
const cookies = (session) => `__session=${session}; __client_uat=1; __clerk_db_jwt=dvb_interop`;

// Reasons for the deliberate differences, each used by several cases.
const WHY = {
  mismatchKind:
    "on a kind mix-up Clerk's state names the kind the route asked for (null when it accepts a list); ours names the kind the token is",
  signsInFlag:
    "Clerk's SDK signs in a 200 verify answer whatever its revoked/expired flags say; ours refuses the token",
  jwtReason:
    'Clerk reports every failed machine JWT as token-verification-failed; ours keeps the reasons session tokens get',
  opaqueOnSession:
    "Clerk's session path does not look at opaque prefixes and fails to parse a JWT; ours tells the kind first and refuses it",
  notAToken:
    "Clerk treats whatever is not a machine token as a session token and refuses its kind; ours finds it is no token at all first",
  machineInCookie:
    "Clerk reads __session as a JWT and fails on the opaque token; ours refuses any machine token in a cookie as a kind mix-up",
  noHeader:
    "Clerk's machine routes never read cookies and say so in a reason of their own; ours looked in the cookies too and found no token",
};

// Identity checks, applied to both sides when they authenticate.
const m2mWho = () => ({ subject: f.machine_id, idPrefix: 'mt_', scopes: [f.target_machine_id] });
const userOAuthWho = (scopes) => () => ({ subject: f.user_id, idPrefix: 'oat_', scopes });
const sessionWho = () => ({ subject: f.user_id, sessionId: f.session_id });

const IN = (tokenType) => ({ authenticated: true, tokenType, reason: '' });
const OUT = (tokenType, reason) => ({ authenticated: false, tokenType, reason });
const MACHINE_ROUTE = ['m2m_token', 'api_key', 'oauth_token'];

// Each case: accepts is Clerk's acceptsToken (a kind, a list, 'any', or
// undefined for the default) and ours the same list; audience is the
// OAuth audience both require; publishableKey null leaves it out on both
// sides. request() builds {token} | {authorization} | {cookie} | {}. want
// is ours, and Clerk's too unless clerk overrides fields (then why says
// why). who() is the identity expected when authenticated.
function cases() {
  return [
    // Each kind, valid, where it is accepted.
    { name: 'opaque M2M token, m2m_token route', accepts: 'm2m_token', request: () => ({ token: f.m2m_token }), want: IN('m2m_token'), who: m2mWho },
    { name: 'M2M JWT minted by the emulator, m2m_token route', accepts: 'm2m_token', request: () => ({ token: f.m2m_jwt }), want: IN('m2m_token'), who: m2mWho },
    {
      name: 'API key, api_key route',
      accepts: 'api_key',
      request: () => ({ token: f.api_key }),
      want: IN('api_key'),
      who: () => ({ subject: f.user_id, idPrefix: 'ak_', scopes: ['read'], name: 'demo-key' }),
    },
    { name: 'opaque OAuth token, oauth_token route', accepts: 'oauth_token', request: () => ({ token: f.oauth_token }), want: IN('oauth_token'), who: userOAuthWho(['profile', 'email']) },
    { name: 'OAuth JWT minted by the emulator, oauth_token route', accepts: 'oauth_token', request: async () => ({ token: await mint('oauth-jwt') }), want: IN('oauth_token'), who: userOAuthWho([]) },
    { name: 'opaque M2M token, route accepting [m2m_token, api_key]', accepts: ['m2m_token', 'api_key'], request: () => ({ token: f.m2m_token }), want: IN('m2m_token'), who: m2mWho },
    {
      name: 'API key, route accepting any',
      accepts: 'any',
      request: async () => ({ token: await mint('api-key') }),
      want: IN('api_key'),
      who: () => ({ subject: f.user_id, idPrefix: 'ak_', scopes: [], name: 'control-key' }),
    },
    {
      name: 'OAuth JWT with the required audience among several, scope claim',
      accepts: 'oauth_token',
      audience: AUD,
      request: () => ({ token: oauthJwt({ aud: ['https://other.example', AUD], scope: 'read write' }) }),
      want: IN('oauth_token'),
      who: userOAuthWho(['read', 'write']),
    },
    {
      name: 'M2M JWT without scopes: scopes read from aud',
      accepts: 'm2m_token',
      request: () => ({ token: m2mJwt({ aud: ['mch_a', 'mch_b'] }) }),
      want: IN('m2m_token'),
      who: () => ({ subject: f.machine_id, idPrefix: 'mt_', scopes: ['mch_a', 'mch_b'] }),
    },
    {
      name: 'OAuth JWT revoked at Clerk: a JWT is judged by its signature alone',
      accepts: 'oauth_token',
      request: async () => ({ token: await mint('oauth-jwt', 'revoked') }),
      want: IN('oauth_token'),
      who: userOAuthWho([]),
    },
    { name: 'session token, default route', request: async () => ({ token: await sessionToken() }), want: IN('session_token'), who: sessionWho },
    { name: 'session token, route accepting any', accepts: 'any', request: async () => ({ token: await sessionToken() }), want: IN('session_token'), who: sessionWho },
    {
      name: 'session token, route accepting [session_token, m2m_token]',
      accepts: ['session_token', 'm2m_token'],
      request: async () => ({ token: await sessionToken() }),
      want: IN('session_token'),
      who: sessionWho,
    },

    // Expired and revoked.
    { name: 'expired opaque M2M token', accepts: 'm2m_token', request: async () => ({ token: await mint('m2m', 'expired') }), want: OUT('m2m_token', 'token-expired'), clerk: IN('m2m_token'), why: WHY.signsInFlag },
    { name: 'expired M2M JWT', accepts: 'm2m_token', request: async () => ({ token: await mint('m2m-jwt', 'expired') }), want: OUT('m2m_token', 'token-expired'), clerk: { reason: 'token-verification-failed' }, why: WHY.jwtReason },
    { name: 'expired API key', accepts: 'api_key', request: async () => ({ token: await mint('api-key', 'expired') }), want: OUT('api_key', 'token-expired'), clerk: IN('api_key'), why: WHY.signsInFlag },
    { name: 'expired opaque OAuth token', accepts: 'oauth_token', request: async () => ({ token: await mint('oauth', 'expired') }), want: OUT('oauth_token', 'token-expired'), clerk: IN('oauth_token'), why: WHY.signsInFlag },
    { name: 'expired OAuth JWT', accepts: 'oauth_token', request: async () => ({ token: await mint('oauth-jwt', 'expired') }), want: OUT('oauth_token', 'token-expired'), clerk: { reason: 'token-verification-failed' }, why: WHY.jwtReason },
    { name: 'revoked opaque M2M token', accepts: 'm2m_token', request: async () => ({ token: await mint('m2m', 'revoked') }), want: OUT('m2m_token', 'token-revoked'), clerk: IN('m2m_token'), why: WHY.signsInFlag },
    { name: 'revoked API key', accepts: 'api_key', request: async () => ({ token: await mint('api-key', 'revoked') }), want: OUT('api_key', 'token-revoked'), clerk: IN('api_key'), why: WHY.signsInFlag },
    { name: 'revoked opaque OAuth token', accepts: 'oauth_token', request: async () => ({ token: await mint('oauth', 'revoked') }), want: OUT('oauth_token', 'token-revoked'), clerk: IN('oauth_token'), why: WHY.signsInFlag },

    // The wrong kind for the route.
    { name: 'session token, m2m_token route', accepts: 'm2m_token', request: async () => ({ token: await sessionToken() }), want: OUT('session_token', 'token-type-mismatch'), clerk: { tokenType: 'm2m_token' }, why: WHY.mismatchKind },
    { name: 'session token, route accepting the three machine kinds', accepts: MACHINE_ROUTE, request: async () => ({ token: await sessionToken() }), want: OUT('session_token', 'token-type-mismatch'), clerk: { tokenType: null }, why: WHY.mismatchKind },
    { name: 'template token, m2m_token route', accepts: 'm2m_token', request: async () => ({ token: (await emu.control('template-token')).token }), want: OUT('session_token', 'token-type-mismatch'), clerk: { tokenType: 'm2m_token' }, why: WHY.mismatchKind },
    { name: 'opaque M2M token, default session route', request: () => ({ token: f.m2m_token }), want: OUT('m2m_token', 'token-type-mismatch'), clerk: OUT('session_token', 'token-invalid'), why: WHY.opaqueOnSession },
    { name: 'API key, default session route', request: () => ({ token: f.api_key }), want: OUT('api_key', 'token-type-mismatch'), clerk: OUT('session_token', 'token-invalid'), why: WHY.opaqueOnSession },
    { name: 'M2M JWT, default session route', request: () => ({ token: f.m2m_jwt }), want: OUT('m2m_token', 'token-type-mismatch'), clerk: { tokenType: 'session_token' }, why: WHY.mismatchKind },
    { name: 'OAuth JWT, default session route', request: () => ({ token: oauthJwt() }), want: OUT('oauth_token', 'token-type-mismatch'), clerk: { tokenType: 'session_token' }, why: WHY.mismatchKind },
    { name: 'API key, m2m_token route', accepts: 'm2m_token', request: () => ({ token: f.api_key }), want: OUT('api_key', 'token-type-mismatch'), clerk: { tokenType: 'm2m_token' }, why: WHY.mismatchKind },
    { name: 'M2M JWT, oauth_token route', accepts: 'oauth_token', request: () => ({ token: f.m2m_jwt }), want: OUT('m2m_token', 'token-type-mismatch'), clerk: { tokenType: 'oauth_token' }, why: WHY.mismatchKind },
    { name: 'OAuth JWT, api_key route', accepts: 'api_key', request: () => ({ token: oauthJwt() }), want: OUT('oauth_token', 'token-type-mismatch'), clerk: { tokenType: 'api_key' }, why: WHY.mismatchKind },
    { name: 'opaque OAuth token, route accepting [m2m_token, api_key]', accepts: ['m2m_token', 'api_key'], request: () => ({ token: f.oauth_token }), want: OUT('oauth_token', 'token-type-mismatch'), clerk: { tokenType: null }, why: WHY.mismatchKind },
    { name: 'opaque M2M token, route accepting [session_token, api_key]', accepts: ['session_token', 'api_key'], request: () => ({ token: f.m2m_token }), want: OUT('m2m_token', 'token-type-mismatch'), clerk: { tokenType: null }, why: WHY.mismatchKind },

    // Audiences.
    { name: 'OAuth JWT for another audience', accepts: 'oauth_token', audience: AUD, request: () => ({ token: oauthJwt({ aud: 'https://other.example' }) }), want: OUT('oauth_token', 'token-verification-failed') },
    { name: 'OAuth JWT without aud, audience required', accepts: 'oauth_token', audience: AUD, request: () => ({ token: oauthJwt() }), want: OUT('oauth_token', 'token-verification-failed') },
    { name: 'opaque OAuth token without aud, audience required', accepts: 'oauth_token', audience: AUD, request: () => ({ token: f.oauth_token }), want: OUT('oauth_token', 'token-verification-failed') },
    {
      name: 'M2M JWT with aud on a route requiring an OAuth audience',
      accepts: 'm2m_token',
      audience: AUD,
      request: () => ({ token: m2mJwt({ aud: ['mch_a'] }) }),
      want: IN('m2m_token'),
      who: () => ({ subject: f.machine_id, idPrefix: 'mt_', scopes: ['mch_a'] }),
      clerk: OUT('m2m_token', 'token-verification-failed'),
      why: "Clerk's audience option also applies to any JWT that has aud (an M2M JWT's aud lists machines); ours requires it of OAuth tokens only (WithOAuthAudience)",
    },

    // Forged JWTs.
    { name: 'M2M JWT signed by another key under the instance kid', accepts: 'm2m_token', request: () => ({ token: m2mJwt({}, { key: keys.strangerPem }) }), want: OUT('m2m_token', 'token-invalid-signature'), clerk: { reason: 'token-verification-failed' }, why: WHY.jwtReason },
    { name: 'OAuth JWT signed by another key under the instance kid', accepts: 'oauth_token', request: () => ({ token: oauthJwt({}, { key: keys.strangerPem }) }), want: OUT('oauth_token', 'token-invalid-signature'), clerk: { reason: 'token-verification-failed' }, why: WHY.jwtReason },
    {
      name: 'M2M JWT claiming alg none, signature kept',
      accepts: 'm2m_token',
      request: () => {
        const [, p, s] = m2mJwt().split('.');
        return { token: `${b64url({ alg: 'none', typ: 'JWT', kid: f.kid })}.${p}.${s}` };
      },
      want: OUT('m2m_token', 'token-invalid-algorithm'),
      clerk: { reason: 'token-verification-failed' },
      why: WHY.jwtReason,
    },
    {
      name: 'M2M JWT whose scopes claim is a JSON array',
      accepts: 'm2m_token',
      request: () => ({ token: m2mJwt({ scopes: ['mch_a', 'mch_b'] }) }),
      want: IN('m2m_token'),
      who: () => ({ subject: f.machine_id, idPrefix: 'mt_', scopes: ['mch_a', 'mch_b'] }),
      clerk: { threw: /split is not a function/ },
      why: "Clerk's SDK calls scopes.split and authenticateRequest throws; ours reads the array, deliberately",
    },

    // Prefixes and garbage.
    { name: 'unknown prefix, m2m_token route', accepts: 'm2m_token', request: () => ({ token: `xyz_${hex()}` }), want: OUT('session_token', 'token-invalid'), clerk: OUT('m2m_token', 'token-type-mismatch'), why: WHY.notAToken },
    { name: 'unknown prefix, route accepting any', accepts: 'any', request: () => ({ token: `xyz_${hex()}` }), want: OUT('session_token', 'token-invalid') },
    { name: 'garbage after the mt_ prefix', accepts: 'm2m_token', request: () => ({ token: 'mt_!!not*a(token)' }), want: OUT('m2m_token', 'token-invalid') },
    { name: 'garbage after the oat_ prefix, route accepting any', accepts: 'any', request: () => ({ token: 'oat_%00%ff' }), want: OUT('oauth_token', 'token-invalid') },
    { name: 'the ak_ prefix alone', accepts: 'api_key', request: () => ({ token: 'ak_' }), want: OUT('api_key', 'token-invalid') },
    { name: 'unknown opaque M2M token', accepts: 'm2m_token', request: () => ({ token: `mt_${hex()}` }), want: OUT('m2m_token', 'token-invalid') },
    { name: 'unknown API key', accepts: ['api_key', 'm2m_token'], request: () => ({ token: `ak_${hex()}` }), want: OUT('api_key', 'token-invalid') },
    { name: 'unknown opaque OAuth token', accepts: 'oauth_token', request: () => ({ token: `oat_${hex()}` }), want: OUT('oauth_token', 'token-invalid') },
    { name: 'a real API key with a character appended', accepts: 'api_key', request: () => ({ token: `${f.api_key}0` }), want: OUT('api_key', 'token-invalid') },

    // Cookies, headers and publishable keys.
    { name: 'session token in __session, route accepting any', accepts: 'any', request: async () => ({ cookie: cookies(await sessionToken()) }), want: IN('session_token'), who: sessionWho },
    { name: 'opaque M2M token in __session, route accepting any', accepts: 'any', request: () => ({ cookie: cookies(f.m2m_token) }), want: OUT('m2m_token', 'token-type-mismatch'), clerk: OUT('session_token', 'token-invalid'), why: WHY.machineInCookie },
    { name: 'API key in __session, route accepting [session_token, api_key]', accepts: ['session_token', 'api_key'], request: () => ({ cookie: cookies(f.api_key) }), want: OUT('api_key', 'token-type-mismatch'), clerk: OUT('session_token', 'token-invalid'), why: WHY.machineInCookie },
    { name: 'M2M JWT in __session, route accepting any', accepts: 'any', request: () => ({ cookie: cookies(f.m2m_jwt) }), want: OUT('m2m_token', 'token-type-mismatch'), clerk: { tokenType: 'session_token' }, why: WHY.mismatchKind },
    { name: 'OAuth JWT in __session, default route', request: () => ({ cookie: cookies(oauthJwt()) }), want: OUT('oauth_token', 'token-type-mismatch'), clerk: { tokenType: 'session_token' }, why: WHY.mismatchKind },
    { name: 'opaque M2M token in __session, m2m_token route', accepts: 'm2m_token', request: () => ({ cookie: cookies(f.m2m_token) }), want: OUT('m2m_token', 'token-type-mismatch'), clerk: OUT('m2m_token', 'No token in header'), why: WHY.noHeader },
    { name: 'no token at all, m2m_token route', accepts: 'm2m_token', request: () => ({}), want: OUT('', 'session-token-missing'), clerk: OUT('m2m_token', 'No token in header'), why: WHY.noHeader },
    {
      name: 'Authorization header without the Bearer scheme, m2m_token route',
      accepts: 'm2m_token',
      request: () => ({ authorization: f.m2m_token }),
      want: OUT('', 'session-token-missing'),
      clerk: IN('m2m_token'),
      why: "Clerk's SDK takes a header without a space as the bare token; ours reads only the Bearer scheme",
    },
    {
      name: 'session token in __session, no publishable key',
      publishableKey: null,
      request: async () => ({ cookie: cookies(await sessionToken()) }),
      want: IN('session_token'),
      who: sessionWho,
      clerk: { threw: /Publishable key is missing/ },
      why: "Clerk's authenticateRequest needs a publishable key; ours reads __session without one (no issuer check)",
    },
    {
      name: 'session token in __session, publishable key of another instance',
      publishableKey: OTHER_PK,
      request: async () => ({ cookie: cookies(await sessionToken()) }),
      want: OUT('session_token', 'token-invalid-issuer'),
      clerk: OUT('session_token', 'dev-browser-missing'),
      why: "Clerk's SDK looks at __session only when the token's iss matches the publishable key's instance, else at the suffixed cookies; ours reads __session and refuses its iss",
    },
  ];
}

// Fresh session tokens: the emulator's live for a minute.
const sessionToken = async () => (await emu.control('session-token')).token;

const KEY_MODES = [
  { name: 'PEM public key', pem: true },
  { name: "the Backend API's key set", pem: false },
];

const pkOf = (c) => (c.publishableKey === undefined ? f.publishable_key : c.publishableKey);
const acceptsList = (a) => (a === undefined ? [] : [a].flat());

// clerkCaller runs Clerk's authenticateRequest on one request.
async function clerkCaller(c, req, mode) {
  const headers = {};
  if (req.token !== undefined) headers.Authorization = `Bearer ${req.token}`;
  if (req.authorization !== undefined) headers.Authorization = req.authorization;
  if (req.cookie !== undefined) headers.Cookie = req.cookie;
  const options = {};
  if (c.accepts !== undefined) options.acceptsToken = c.accepts;
  if (c.audience !== undefined) options.audience = c.audience;
  let state;
  try {
    const client = createClerkClient({
      secretKey: f.secret_key,
      apiUrl: f.api_url,
      ...(pkOf(c) !== null && { publishableKey: pkOf(c) }),
      ...(mode.pem && { jwtKey: f.public_key_pem }),
      telemetry: { disabled: true },
    });
    state = await client.authenticateRequest(new Request('http://localhost:3000/api/machine', { headers }), options);
  } catch (err) {
    return { threw: err.message };
  }
  const out = { authenticated: state.isAuthenticated, tokenType: state.tokenType, reason: state.reason ?? '' };
  if (state.isAuthenticated) {
    const auth = state.toAuth();
    out.who =
      state.tokenType === 'session_token'
        ? { subject: auth.userId, sessionId: auth.sessionId }
        : { subject: auth.subject, id: auth.id, scopes: auth.scopes, name: auth.name ?? null };
  }
  return out;
}

function ourCaller(o) {
  const out = { authenticated: o.authenticated, tokenType: o.tokenType, reason: o.reason ?? '' };
  if (o.authenticated) {
    out.who =
      o.tokenType === 'session_token'
        ? { subject: o.subject, sessionId: o.sessionId }
        : { subject: o.subject, id: o.id, scopes: o.scopes ?? [], name: o.name ?? null };
  }
  return out;
}

// ourCallers runs the table through gocli, one process per route
// configuration (accepted kinds, audience, publishable key).
async function ourCallers(table, requests, mode) {
  const groups = new Map();
  for (const [i, c] of table.entries()) {
    const key = JSON.stringify([acceptsList(c.accepts), c.audience ?? null, pkOf(c)]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(i);
  }
  const results = new Array(table.length);
  for (const indices of groups.values()) {
    const c = table[indices[0]];
    const env = { CLERK_SECRET_KEY: f.secret_key, CLERK_API_URL: f.api_url };
    if (pkOf(c) !== null) env.CLERK_PUBLISHABLE_KEY = pkOf(c);
    if (mode.pem) env.CLERK_JWT_KEY = f.public_key_pem;
    const out = await goAuthenticate(
      indices.map((i) => requests[i]),
      { accepts: acceptsList(c.accepts), audience: c.audience },
      env,
    );
    for (const [j, i] of indices.entries()) results[i] = out[j];
  }
  return results;
}

function assertWho(got, want, side) {
  assert.equal(got.subject, want.subject, `${side}: subject`);
  if (want.sessionId !== undefined) {
    assert.equal(got.sessionId, want.sessionId, `${side}: sessionId`);
    return;
  }
  assert.ok(got.id.startsWith(want.idPrefix), `${side}: id ${got.id}`);
  assert.deepEqual(got.scopes, want.scopes, `${side}: scopes`);
  assert.equal(got.name, want.name ?? null, `${side}: name`);
}

test('the table has at least 30 cases, and every difference says why', () => {
  const table = cases();
  assert.ok(table.length >= 30, `${table.length} cases`);
  for (const c of table) assert.equal(c.clerk === undefined, c.why === undefined, c.name);
  assert.equal(new Set(table.map((c) => c.name)).size, table.length, 'unique names');
});

for (const mode of KEY_MODES) {
  describe(`machine callers, keys from the ${mode.name}: Clerk's authenticateRequest and ours`, () => {
    const table = cases();
    let requests;
    let ours;
    before(async () => {
      requests = [];
      for (const c of table) requests.push(await c.request());
      ours = await ourCallers(table, requests, mode);
    }, { timeout: 60_000 });

    for (const [i, c] of table.entries()) {
      test(c.name, async () => {
        const clerk = await clerkCaller(c, requests[i], mode);
        const o = ourCaller(ours[i]);
        const { who: ourWho, ...ourVerdict } = o;
        assert.deepEqual(ourVerdict, c.want, `ours (${ours[i].message ?? 'signed in'})`);
        if (ourWho) assertWho(ourWho, c.who(), 'ours');

        if (c.clerk?.threw) {
          assert.match(clerk.threw ?? '(did not throw)', c.clerk.threw);
          return;
        }
        assert.equal(clerk.threw, undefined, "Clerk's authenticateRequest threw");
        const { who: clerkWho, ...clerkVerdict } = clerk;
        assert.deepEqual(clerkVerdict, { ...c.want, ...c.clerk }, "Clerk's");
        if (clerkWho && ourWho) assert.deepEqual(ourWho, clerkWho, 'the same caller');
        else if (clerkWho && c.who) assertWho(clerkWho, c.who(), "Clerk's");
      });
    }
  });
}
