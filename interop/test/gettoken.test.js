// Part 1: Clerk's own Backend API client accepts our emulator. For every
// error case, our Go client is run against the same emulator and must
// report the same status, code, trace id presence and Retry-After.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createClerkClient } from '@clerk/backend';
import { ClerkAPIResponseError, isClerkAPIResponseError } from '@clerk/backend/errors';

import { CAT_SESSION, CAT_TEMPLATE, GOCLI_PKG, buildGo, TRACE_ID, decodeJwt, goGetToken, startEmulator } from './helpers.js';

let emu;
let facts;
let clerk;

before(async () => {
  // Built before the emulator starts, so the tokens it prints at start
  // are fresh when the tests use them.
  await buildGo(GOCLI_PKG);
  emu = await startEmulator();
  facts = emu.facts;
  clerk = clerkClient(facts.secret_key);
}, { timeout: 180_000 }); // cold Go builds on a small machine

after(async () => {
  await emu?.stop();
});

function clerkClient(secretKey) {
  return createClerkClient({ secretKey, apiUrl: facts.api_url, telemetry: { disabled: true } });
}

// The claims the emulator's "test" template renders for the seeded user.
function assertTemplateClaims(jwt) {
  const { header, payload } = decodeJwt(jwt);
  assert.equal(header.alg, 'RS256');
  assert.equal(header.kid, facts.kid);
  assert.equal(header.cat, CAT_TEMPLATE);
  assert.equal(payload.name, 'Ada Lovelace');
  assert.equal(payload.email, 'ada@example.com');
  assert.equal(payload.role, 'admin');
  assert.equal(payload.org, 'acme');
  assert.equal(payload.greeting, 'Hello, Ada!');
  assert.equal(payload.sub, facts.user_id);
  assert.equal(payload.iss, facts.issuer);
  assert.equal(payload.azp, 'http://localhost:3000');
  assert.match(payload.jti, /^[0-9a-f]{20}$/);
  // Template tokens carry none of the session token's claims.
  for (const claim of ['sid', 'v', 'fva', 'o', 'sts']) assert.equal(payload[claim], undefined, claim);
  return payload;
}

describe("Clerk's sessions.getToken against the emulator", () => {
  test('template token with the template lifetime', async () => {
    const token = await clerk.sessions.getToken(facts.session_id, 'test');
    assert.equal(typeof token.jwt, 'string');
    const claims = assertTemplateClaims(token.jwt);
    assert.equal(claims.exp - claims.iat, 60, 'default template lifetime');
    assert.equal(claims.iat - claims.nbf, 5, 'nbf = iat - allowed_clock_skew (default 5)');
  });

  test('template token with expiresInSeconds', async () => {
    const token = await clerk.sessions.getToken(facts.session_id, 'test', 3600);
    const claims = assertTemplateClaims(token.jwt);
    assert.equal(claims.exp - claims.iat, 3600);
  });

  test('plain session token without a template', async () => {
    const token = await clerk.sessions.getToken(facts.session_id);
    const { header, payload } = decodeJwt(token.jwt);
    assert.equal(header.cat, CAT_SESSION);
    assert.equal(payload.sid, facts.session_id);
    assert.equal(payload.sub, facts.user_id);
    assert.equal(payload.v, 2);
    assert.equal(payload.exp - payload.iat, 60);
  });

  test('our GetToken gets the same kind of tokens', async () => {
    const base = { apiUrl: facts.api_url, secretKey: facts.secret_key, sessionId: facts.session_id };
    const plain = await goGetToken({ ...base, template: 'test' });
    assert.ok(plain.ok, JSON.stringify(plain));
    assert.equal(assertTemplateClaims(plain.jwt).exp - decodeJwt(plain.jwt).payload.iat, 60);
    const long = await goGetToken({ ...base, template: 'test', expiresInSeconds: 3600 });
    assert.ok(long.ok, JSON.stringify(long));
    const claims = assertTemplateClaims(long.jwt);
    assert.equal(claims.exp - claims.iat, 3600);
  });
});

// Each case: what to ask, what fault to queue first, and what both clients
// must report. retryAfter is undefined when no Retry-After was sent.
const errorCases = [
  {
    name: 'unknown session',
    sessionId: 'sess_2doesNotExist000000000000',
    template: 'test',
    status: 404,
    code: 'resource_not_found',
  },
  {
    name: 'unknown template',
    template: 'no-such-template',
    status: 404,
    code: 'resource_not_found',
    longMessage: 'No JWT template exists with name: no-such-template',
  },
  {
    name: 'bad secret key',
    secretKey: 'sk_test_notTheEmulatorsKey0123456789abcdefghij',
    template: 'test',
    status: 401,
    code: 'clerk_key_invalid',
  },
  {
    name: 'forced 429 with Retry-After',
    fault: 'rate-limit-next 1 7',
    template: 'test',
    status: 429,
    code: 'too_many_requests',
    retryAfter: 7,
  },
  {
    name: 'forced 429 without Retry-After',
    fault: 'rate-limit-next 1',
    template: 'test',
    status: 429,
    code: 'too_many_requests',
  },
  {
    name: 'forced 503',
    fault: 'fail-next 1 503',
    template: 'test',
    status: 503,
    code: 'service_unavailable',
  },
];

describe('errors surface alike in ClerkAPIResponseError and our APIError', () => {
  for (const c of errorCases) {
    test(c.name, async () => {
      const sessionId = c.sessionId ?? facts.session_id;
      const secretKey = c.secretKey ?? facts.secret_key;

      if (c.fault) await emu.control(c.fault);
      const err = await clerkClient(secretKey)
        .sessions.getToken(sessionId, c.template)
        .then(
          (t) => assert.fail(`Clerk's client got a token: ${t.jwt.slice(0, 20)}…`),
          (e) => e,
        );
      assert.ok(err instanceof ClerkAPIResponseError, `${err}`);
      assert.ok(isClerkAPIResponseError(err));
      assert.equal(err.status, c.status);
      assert.equal(err.errors[0].code, c.code);
      if (c.longMessage) assert.equal(err.errors[0].longMessage, c.longMessage);
      assert.match(err.clerkTraceId, TRACE_ID);
      assert.equal(err.retryAfter, c.retryAfter);

      if (c.fault) await emu.control(c.fault);
      const ours = await goGetToken({ apiUrl: facts.api_url, secretKey, sessionId, template: c.template });
      assert.equal(ours.ok, false, JSON.stringify(ours));
      const e = ours.error;
      assert.equal(e.kind, 'api', e.message);
      assert.equal(e.status, c.status);
      assert.equal(e.errors[0].code, c.code);
      if (c.longMessage) assert.equal(e.errors[0].long_message, c.longMessage);
      assert.match(e.trace_id, TRACE_ID);
      assert.notEqual(e.trace_id, err.clerkTraceId, 'every answer has a fresh trace id');
      assert.equal(e.retry_after_seconds, c.retryAfter, 'Retry-After as whole seconds');
    });
  }

  // Where the two clients part ways on purpose.
  test('out-of-range expiresInSeconds: Clerk asks and gets 422, ours refuses before sending', async () => {
    const err = await clerk.sessions.getToken(facts.session_id, 'test', 10).then(
      () => assert.fail("Clerk's client got a token for a 10 s lifetime"),
      (e) => e,
    );
    assert.equal(err.status, 422);
    assert.equal(err.errors[0].code, 'form_param_value_invalid');
    assert.equal(err.errors[0].meta.paramName, 'expires_in_seconds');

    // A queued 429 would answer the request if one were sent: its absence
    // in the result shows ours never reached the wire.
    await emu.control('rate-limit-next 1 7');
    const ours = await goGetToken({
      apiUrl: facts.api_url,
      secretKey: facts.secret_key,
      sessionId: facts.session_id,
      template: 'test',
      expiresInSeconds: 10,
    });
    await emu.control('clear-faults');
    assert.equal(ours.ok, false);
    assert.equal(ours.error.kind, 'input');
    assert.equal(ours.error.param, 'expires_in_seconds');
    assert.deepEqual(ours.error.matches, ['invalid_input']);
  });

  test('one 429 then success: Clerk does not retry, ours honours Retry-After and retries', async () => {
    await emu.control('rate-limit-next 1 1');
    const err = await clerk.sessions.getToken(facts.session_id, 'test').then(
      () => assert.fail("Clerk's client retried or ignored the 429"),
      (e) => e,
    );
    assert.equal(err.status, 429);
    assert.equal(err.retryAfter, 1);

    await emu.control('rate-limit-next 1 1');
    const started = Date.now();
    const ours = await goGetToken({
      apiUrl: facts.api_url,
      secretKey: facts.secret_key,
      sessionId: facts.session_id,
      template: 'test',
      retries: true,
    });
    assert.ok(ours.ok, JSON.stringify(ours));
    assertTemplateClaims(ours.jwt);
    assert.ok(Date.now() - started >= 1000, 'waited the Retry-After second');
  });
});
