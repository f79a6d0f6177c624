// Part 4: the same getToken call, and the same machine token verify call,
// leaves Clerk's client and ours as the same HTTP request. A recording
// server on the loopback interface captures both; everything Clerk's
// Backend API reads must be byte-identical, and every other difference is
// listed below with its reason, so a new one fails the test.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { createClerkClient } from '@clerk/backend';

import { GOCLI_PKG, buildGo, goAuthenticate, goGetToken } from './helpers.js';
import { assertSameRequest, headersOf } from './same-request.js';

const SECRET_KEY = 'sk_test_wireRecordingKey0123456789abcdefghijklmn';
const SESSION = 'sess_2wireTest000000000000000000';

// What the recording server answers each verify endpoint: a valid token
// of its kind, so both clients read an answer and neither retries.
const VERIFY_ANSWERS = [
  {
    path: '/m2m_tokens/verify',
    answer: {
      object: 'machine_to_machine_token',
      id: 'mt_wireTokenId',
      subject: 'mch_wireMachine',
      scopes: ['mch_wireTarget'],
      claims: null,
      revoked: false,
      revocation_reason: null,
      expired: false,
      expiration: null,
      created_at: 1,
      updated_at: 1,
    },
  },
  {
    path: '/api_keys/verify',
    answer: {
      object: 'api_key',
      id: 'ak_wireKeyId',
      type: 'api_key',
      name: 'wire',
      subject: 'user_wireUser',
      scopes: ['read'],
      claims: null,
      revoked: false,
      revocation_reason: null,
      expired: false,
      expiration: null,
      created_by: null,
      description: null,
      last_used_at: null,
      created_at: 1,
      updated_at: 1,
    },
  },
  {
    path: '/oauth_applications/access_tokens/verify',
    answer: {
      object: 'clerk_idp_oauth_access_token',
      id: 'oat_wireTokenId',
      client_id: 'client_wire',
      subject: 'user_wireUser',
      scopes: ['profile'],
      revoked: false,
      revocation_reason: null,
      expired: false,
      expiration: null,
      created_at: 1,
      updated_at: 1,
    },
  },
];

let server;
let apiUrl;
let recorded = [];

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      recorded.push({ method: req.method, url: req.url, headers: headersOf(req), body: Buffer.concat(chunks).toString('utf8') });
      const verify = VERIFY_ANSWERS.find((v) => req.url.endsWith(v.path));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(verify ? JSON.stringify(verify.answer) : '{"object":"token","jwt":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${server.address().port}`;
  await buildGo(GOCLI_PKG);
}, { timeout: 180_000 }); // a cold Go build on a small machine

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function clerkClient() {
  return createClerkClient({ secretKey: SECRET_KEY, apiUrl, telemetry: { disabled: true } });
}

// capture runs one call and returns the requests it sent (normally one).
async function capture(call) {
  recorded = [];
  let outcome;
  try {
    outcome = { ok: true, value: await call() };
  } catch (err) {
    outcome = { ok: false, error: err };
  }
  return { requests: recorded, outcome };
}

const viaClerk = (sessionId, template, expiresInSeconds) =>
  capture(() => clerkClient().sessions.getToken(sessionId, template, expiresInSeconds));

const viaOurs = (sessionId, template, expiresInSeconds) =>
  capture(async () => {
    const r = await goGetToken({ apiUrl, secretKey: SECRET_KEY, sessionId, template, expiresInSeconds });
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r;
  });

describe('same getToken request from both clients', () => {
  const calls = [
    {
      name: 'template, no lifetime: no body',
      args: [SESSION, 'test', undefined],
      url: `/v1/sessions/${SESSION}/tokens/test`,
      body: '',
    },
    {
      name: 'template with expiresInSeconds: a JSON body',
      args: [SESSION, 'test', 3600],
      url: `/v1/sessions/${SESSION}/tokens/test`,
      body: '{"expires_in_seconds":3600}',
    },
    {
      name: 'no template: the session token endpoint',
      args: [SESSION, undefined, undefined],
      url: `/v1/sessions/${SESSION}/tokens`,
      body: '',
    },
    {
      name: 'no template, with expiresInSeconds',
      args: [SESSION, undefined, 120],
      url: `/v1/sessions/${SESSION}/tokens`,
      body: '{"expires_in_seconds":120}',
    },
  ];
  for (const c of calls) {
    test(c.name, async () => {
      const clerk = await viaClerk(...c.args);
      const ours = await viaOurs(...c.args);
      assert.ok(clerk.outcome.ok, `${clerk.outcome.error}`);
      assert.ok(ours.outcome.ok, `${ours.outcome.error}`);
      assert.equal(clerk.requests.length, 1);
      assert.equal(ours.requests.length, 1, 'one attempt');
      const [clerkReq] = clerk.requests;
      assert.equal(clerkReq.method, 'POST');
      assert.equal(clerkReq.url, c.url);
      assert.equal(clerkReq.body, c.body);
      assert.equal(clerkReq.headers.authorization, `Bearer ${SECRET_KEY}`);
      assert.equal(clerkReq.headers['content-type'], 'application/json');
      assert.equal(clerkReq.headers['clerk-api-version'], '2026-05-12');
      assertSameRequest(clerkReq, ours.requests[0]);
      // Both read the same answer.
      assert.equal(clerk.outcome.value.jwt, ours.outcome.value.jwt);
    });
  }
});

// Deliberate differences: session IDs and template names that are not
// plain identifiers. Clerk's client joins them into the URL as they are
// (refusing only dot segments), so URL syntax in them changes the request;
// ours escapes each one into exactly one path segment. `clerk` is the
// request target Clerk's client sends (null: it throws before sending),
// `ours` the one ours sends (null: refused before sending).
const P = `/v1/sessions/${SESSION}/tokens`;
const oddInputs = [
  { name: 'space', session: SESSION, template: 'a b', clerk: `${P}/a%20b`, ours: `${P}/a%20b` },
  { name: 'non-ASCII', session: SESSION, template: 'é', clerk: `${P}/%C3%A9`, ours: `${P}/%C3%A9` },
  // Clerk's client: one more path segment, another route.
  { name: 'slash', session: SESSION, template: 'a/b', clerk: `${P}/a/b`, ours: `${P}/a%2Fb` },
  // Clerk's client: WHATWG URL parsing turns "\" into "/" for http(s).
  { name: 'backslash', session: SESSION, template: 'a\\b', clerk: `${P}/a/b`, ours: `${P}/a%5Cb` },
  // Clerk's client: template "a" and a query string "b".
  { name: 'question mark', session: SESSION, template: 'a?b', clerk: `${P}/a?b`, ours: `${P}/a%3Fb` },
  // Clerk's client: an escape passed through, which the server decodes
  // to "a/b"; ours sends the literal name "a%2Fb".
  { name: 'percent escape', session: SESSION, template: 'a%2Fb', clerk: `${P}/a%2Fb`, ours: `${P}/a%252Fb` },
  // Clerk's client: "#" starts a fragment, so the request goes to
  // POST /v1/sessions/s, another endpoint altogether.
  { name: 'hash in session ID', session: 's#x', template: 'test', clerk: '/v1/sessions/s', ours: '/v1/sessions/s%23x/tokens/test' },
  // Both refuse dot segments, literal or escaped, before sending.
  { name: 'dot-dot template', session: SESSION, template: '..', clerk: null, ours: null },
  { name: 'escaped dot-dot template', session: SESSION, template: '%2e%2e', clerk: null, ours: null },
  { name: 'dot-dot session', session: '..', template: 'test', clerk: null, ours: null },
  // Both refuse an empty session ID.
  { name: 'empty session ID', session: '', template: 'test', clerk: null, ours: null },
];

describe('session IDs and template names with URL syntax', () => {
  for (const c of oddInputs) {
    test(c.name, async () => {
      const clerk = await viaClerk(c.session, c.template);
      const ours = await viaOurs(c.session, c.template);
      if (c.clerk === null) {
        assert.equal(clerk.outcome.ok, false);
        assert.deepEqual(clerk.requests, [], "Clerk's client sent nothing");
      } else {
        assert.deepEqual(clerk.requests.map((r) => r.url), [c.clerk]);
      }
      if (c.ours === null) {
        assert.equal(ours.outcome.ok, false);
        assert.equal(ours.outcome.error.kind, 'input', ours.outcome.error.message);
        assert.deepEqual(ours.requests, [], 'ours sent nothing');
      } else {
        assert.deepEqual(ours.requests.map((r) => r.url), [c.ours]);
      }
    });
  }
});

// The three machine token verify calls. Clerk's JavaScript client sends
// them without the API version segment (its m2m, apiKeys and
// idPOAuthAccessToken clients skip it); ours sends /v1/…, as Clerk's
// Backend API specification and its Go SDK do, and Clerk answers both. That
// is the one difference: method, body and every header Clerk reads are the
// same.
describe('same machine token verify request from both clients', () => {
  const calls = [
    {
      name: 'M2M token: POST /m2m_tokens/verify {token}',
      token: 'mt_wireOpaqueToken0123456789abcdef',
      path: '/m2m_tokens/verify',
      body: (t) => JSON.stringify({ token: t }),
      clerk: (client, t) => client.m2m.verify({ token: t }),
    },
    {
      name: 'API key: POST /api_keys/verify {secret}',
      token: 'ak_wireSecret0123456789abcdef',
      path: '/api_keys/verify',
      body: (t) => JSON.stringify({ secret: t }),
      clerk: (client, t) => client.apiKeys.verify(t),
    },
    {
      name: 'OAuth access token: POST /oauth_applications/access_tokens/verify {access_token}',
      token: 'oat_wireOpaqueToken0123456789abcdef',
      path: '/oauth_applications/access_tokens/verify',
      body: (t) => JSON.stringify({ access_token: t }),
      clerk: (client, t) => client.idPOAuthAccessToken.verify(t),
    },
  ];
  for (const c of calls) {
    test(c.name, async () => {
      const answer = VERIFY_ANSWERS.find((v) => v.path === c.path).answer;
      const clerk = await capture(() => c.clerk(clerkClient(), c.token));
      const ours = await capture(async () => {
        const [r] = await goAuthenticate(
          [{ token: c.token }],
          { accepts: ['m2m_token', 'api_key', 'oauth_token'] },
          { CLERK_SECRET_KEY: SECRET_KEY, CLERK_API_URL: apiUrl },
        );
        if (!r.authenticated) throw new Error(`${r.reason}: ${r.message}`);
        return r;
      });
      assert.ok(clerk.outcome.ok, `${clerk.outcome.error}`);
      assert.ok(ours.outcome.ok, `${ours.outcome.error}`);
      assert.equal(clerk.requests.length, 1);
      assert.equal(ours.requests.length, 1, 'one call, no key set fetched');
      const [clerkReq] = clerk.requests;
      const [ourReq] = ours.requests;
      // Pinned: the path differs by the version segment only.
      assert.equal(clerkReq.url, c.path, "Clerk's client: no /v1");
      assert.equal(ourReq.url, `/v1${c.path}`, 'ours: /v1');
      assert.equal(clerkReq.method, 'POST');
      assert.equal(clerkReq.body, c.body(c.token));
      assert.equal(clerkReq.headers.authorization, `Bearer ${SECRET_KEY}`);
      assertSameRequest(clerkReq, ourReq, { samePath: false });
      // Both read the same answer.
      assert.equal(clerk.outcome.value.id, answer.id);
      assert.equal(ours.outcome.value.id, answer.id);
      assert.equal(ours.outcome.value.subject, clerk.outcome.value.subject);
      assert.deepEqual(ours.outcome.value.scopes, clerk.outcome.value.scopes);
    });
  }
});
