// M2M tokens minted by Clerk's client and by ours, against one emulator.
//
// 1. Wire: for a table of parameter sets, @clerk/backend's m2m.createToken
//    and our M2MClient.CreateM2MToken (gocli m2m-create) send the same
//    request. A recording proxy in front of the emulator captures both;
//    method, body bytes and every header the Backend API reads must be
//    identical, and the path differs by the version segment only (pinned
//    below with the reason).
// 2. Agreement: tokens ours mints verify with Clerk's m2m.verify, which
//    reports the same id, subject, scopes, claims and expiration as our
//    create result; tokens Clerk's client mints authenticate with our
//    Authenticator (gocli authenticate) as the same caller.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { createClerkClient } from '@clerk/backend';

import { GOCLI_PKG, buildGo, goAuthenticate, goM2MCreate, startEmulator } from './helpers.js';
import { assertSameRequest, headersOf } from './same-request.js';

let emu;
let f; // the emulator's startup facts
let proxy;
let proxyUrl;
let recorded = [];

before(async () => {
  await buildGo(GOCLI_PKG);
  emu = await startEmulator();
  f = emu.facts;
  const upstream = new URL(f.api_url);
  // The proxy records each request as the client sent it and forwards it
  // unchanged, so both clients get the emulator's real answers.
  proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      recorded.push({ method: req.method, url: req.url, headers: headersOf(req), body: body.toString('utf8') });
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      out.end(body);
    });
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
}, { timeout: 180_000 }); // a cold Go build on a small machine

after(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve()));
  await emu?.stop();
});

// clerkClient is Clerk's client for the calling machine. apiUrl is the
// proxy for the wire tests, the emulator itself otherwise.
const clerkClient = (apiUrl) =>
  createClerkClient({ machineSecretKey: f.machine_secret_key, apiUrl, telemetry: { disabled: true } });

// verifier is Clerk's client of the service being called: the instance's
// secret key verifies opaque tokens over the API and fetches the key set
// that verifies JWTs.
const verifier = () => createClerkClient({ secretKey: f.secret_key, apiUrl: f.api_url, telemetry: { disabled: true } });

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

// Each parameter set in both clients' terms: clerk is createToken's
// params, ours gocli's flags, body the exact body both must send.
const params = [
  {
    name: 'no parameters',
    clerk: {},
    ours: {},
    body: '{"seconds_until_expiration":null,"claims":null,"token_format":"opaque"}',
  },
  {
    name: 'opaque, given explicitly',
    clerk: { tokenFormat: 'opaque' },
    ours: { format: 'opaque' },
    body: '{"seconds_until_expiration":null,"claims":null,"token_format":"opaque"}',
  },
  {
    name: 'jwt format',
    clerk: { tokenFormat: 'jwt' },
    ours: { format: 'jwt' },
    body: '{"seconds_until_expiration":null,"claims":null,"token_format":"jwt"}',
  },
  {
    name: 'lifetime',
    clerk: { secondsUntilExpiration: 600 },
    ours: { lifetime: 600 },
    body: '{"seconds_until_expiration":600,"claims":null,"token_format":"opaque"}',
  },
  {
    // Clerk's client snake-cases the top-level parameter names only, so a
    // camelCase claim name reaches Clerk as written; so does ours.
    name: 'claims, names kept as written',
    clerk: { claims: { role: 'billing', orgId: 'org_1', limits: { perMinute: 5 } } },
    ours: { claims: { role: 'billing', orgId: 'org_1', limits: { perMinute: 5 } } },
    body: '{"seconds_until_expiration":null,"claims":{"limits":{"perMinute":5},"orgId":"org_1","role":"billing"},"token_format":"opaque"}',
    // Go's encoding/json writes an object's members sorted by name and
    // JSON.stringify in insertion order: the claims are the same object,
    // sent in a different order when not given sorted.
    clerkBody: '{"seconds_until_expiration":null,"claims":{"role":"billing","orgId":"org_1","limits":{"perMinute":5}},"token_format":"opaque"}',
  },
  {
    name: 'claims given sorted: the same bytes',
    clerk: { claims: { a: 1, b: [true, null], c: 'x' } },
    ours: { claims: { a: 1, b: [true, null], c: 'x' } },
    body: '{"seconds_until_expiration":null,"claims":{"a":1,"b":[true,null],"c":"x"},"token_format":"opaque"}',
  },
  {
    name: 'min_remaining_ttl_seconds with a lifetime',
    clerk: { secondsUntilExpiration: 600, minRemainingTtlSeconds: 60 },
    ours: { lifetime: 600, minRemaining: 60 },
    body: '{"seconds_until_expiration":600,"claims":null,"min_remaining_ttl_seconds":60,"token_format":"opaque"}',
  },
  {
    name: 'min_remaining_ttl_seconds 0 is sent',
    clerk: { minRemainingTtlSeconds: 0 },
    ours: { minRemaining: 0 },
    body: '{"seconds_until_expiration":null,"claims":null,"min_remaining_ttl_seconds":0,"token_format":"opaque"}',
  },
  {
    name: 'everything, jwt',
    clerk: { tokenFormat: 'jwt', secondsUntilExpiration: 300, claims: { tier: 'gold' } },
    ours: { format: 'jwt', lifetime: 300, claims: { tier: 'gold' } },
    body: '{"seconds_until_expiration":300,"claims":{"tier":"gold"},"token_format":"jwt"}',
  },
];

describe('same create request from both clients', () => {
  for (const c of params) {
    test(c.name, async () => {
      const clerk = await capture(() => clerkClient(proxyUrl).m2m.createToken(c.clerk));
      const ours = await capture(async () => {
        const r = await goM2MCreate({ apiUrl: proxyUrl, machineSecretKey: f.machine_secret_key, ...c.ours });
        if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
        return r;
      });
      assert.ok(clerk.outcome.ok, `${clerk.outcome.error}`);
      assert.ok(ours.outcome.ok, `${ours.outcome.error?.message}`);
      assert.equal(clerk.requests.length, 1);
      assert.equal(ours.requests.length, 1, 'one attempt');
      const [clerkReq] = clerk.requests;
      const [ourReq] = ours.requests;
      // Pinned: Clerk's m2m client skips the API version segment; ours
      // sends /v1/…, as Clerk's Backend API specification and its Go SDK
      // do, and Clerk answers both.
      assert.equal(clerkReq.url, '/m2m_tokens', "Clerk's client: no /v1");
      assert.equal(ourReq.url, '/v1/m2m_tokens', 'ours: /v1');
      assert.equal(clerkReq.method, 'POST');
      assert.equal(clerkReq.headers.authorization, `Bearer ${f.machine_secret_key}`);
      assert.equal(ourReq.body, c.body);
      assert.equal(clerkReq.body, c.clerkBody ?? c.body);
      if (c.clerkBody !== undefined) {
        assert.deepEqual(JSON.parse(ourReq.body), JSON.parse(clerkReq.body), 'the same JSON value');
        // The bodies differ only in member order: same length.
        assertSameRequest(clerkReq, { ...ourReq, body: clerkReq.body }, { samePath: false });
      } else {
        assertSameRequest(clerkReq, ourReq, { samePath: false });
      }
      // Both read the emulator's answer the same way.
      const a = clerk.outcome.value;
      const b = ours.outcome.value;
      assert.equal(b.subject, a.subject);
      assert.deepEqual(b.scopes, a.scopes);
      assert.deepEqual(b.claims ?? null, a.claims ?? null);
      assert.equal(b.expiration - b.created_at, a.expiration - a.createdAt, 'the same lifetime');
      assert.equal(b.token.startsWith('mt_'), a.token.startsWith('mt_'), 'the same format');
    });
  }
});

const CLAIMS = { role: 'billing', limits: { perMinute: 5 } };

describe("tokens minted by ours verify with Clerk's m2m.verify", () => {
  for (const format of ['opaque', 'jwt']) {
    test(format, async () => {
      const ours = await goM2MCreate({ apiUrl: f.api_url, machineSecretKey: f.machine_secret_key, format, lifetime: 600, claims: CLAIMS });
      assert.ok(ours.ok, ours.error?.message);
      assert.equal(ours.token.startsWith('mt_'), format === 'opaque');
      const v = await verifier().m2m.verify({ token: ours.token });
      assert.equal(v.id, ours.id);
      assert.equal(v.subject, ours.subject);
      assert.equal(v.subject, f.machine_id);
      assert.deepEqual(v.scopes, ours.scopes);
      assert.deepEqual(ours.scopes, [f.target_machine_id]);
      assert.deepEqual(ours.claims, CLAIMS);
      if (format === 'opaque') {
        assert.deepEqual(v.claims, ours.claims);
      } else {
        // Pinned: Clerk's SDK reserves only iss, sub, exp, nbf, iat and jti
        // of a JWT, so the scopes claim shows up among its custom claims
        // too; the create answer ours read keeps claims and scopes apart.
        assert.deepEqual(v.claims, { ...ours.claims, scopes: ours.scopes.join(' ') });
      }
      assert.equal(v.revoked, false);
      assert.equal(v.expired, false);
      if (format === 'opaque') {
        assert.equal(v.expiration, ours.expiration);
      } else {
        // Pinned: Clerk's SDK reads a JWT's expiration from exp, whole
        // seconds; the create answer ours read has milliseconds.
        assert.equal(v.expiration, Math.floor(ours.expiration / 1000) * 1000);
      }
      assert.equal(ours.expiration - ours.created_at, 600_000);
    });
  }
});

describe("tokens minted by Clerk's client authenticate with ours", () => {
  for (const format of ['opaque', 'jwt']) {
    test(format, async () => {
      const tok = await clerkClient(f.api_url).m2m.createToken({ tokenFormat: format, secondsUntilExpiration: 600, claims: CLAIMS });
      const [r] = await goAuthenticate([{ token: tok.token }], { accepts: ['m2m_token'] }, {
        CLERK_SECRET_KEY: f.secret_key,
        CLERK_API_URL: f.api_url,
      });
      assert.equal(r.authenticated, true, `${r.reason}: ${r.message}`);
      assert.equal(r.tokenType, 'm2m_token');
      assert.equal(r.id, tok.id);
      assert.equal(r.subject, tok.subject);
      assert.deepEqual(r.scopes, tok.scopes);
    });
  }
});

describe('server-side reuse across the two clients', () => {
  test("ours with min_remaining_ttl_seconds gets back the token Clerk's client minted", async () => {
    const claims = { reuse: 'across-clients' }; // claims of their own: no other test's token qualifies
    const tok = await clerkClient(f.api_url).m2m.createToken({ secondsUntilExpiration: 600, claims });
    const ours = await goM2MCreate({ apiUrl: f.api_url, machineSecretKey: f.machine_secret_key, lifetime: 600, claims, minRemaining: 60 });
    assert.ok(ours.ok, ours.error?.message);
    assert.equal(ours.id, tok.id);
    assert.equal(ours.token, tok.token);
    assert.equal(ours.expiration, tok.expiration);
  });
});
