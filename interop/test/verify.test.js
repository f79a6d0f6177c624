// Part 2: Clerk's own verifier accepts the emulator's session tokens, with
// keys fetched over the emulated Backend API (secretKey + apiUrl) and with
// the PEM public key (jwtKey), and refuses what it must, for the reasons
// clerkkit's verifier uses too.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { createClerkClient, verifyToken } from '@clerk/backend';
import { TokenVerificationError } from '@clerk/backend/errors';

import { CAT_SESSION, CAT_TEMPLATE, GOCLI_PKG, buildGo, decodeJwt, goVerify, signCompact, startEmulator } from './helpers.js';

let emu;
let facts;
let clerk;
// The two ways Clerk's verifier finds the instance key.
let keyModes;

before(async () => {
  // Built before the emulator starts, so the tokens it prints at start
  // are fresh when the tests use them.
  await buildGo(GOCLI_PKG);
  emu = await startEmulator();
  facts = emu.facts;
  clerk = createClerkClient({
    secretKey: facts.secret_key,
    apiUrl: facts.api_url,
    publishableKey: facts.publishable_key,
    telemetry: { disabled: true },
  });
  keyModes = [
    { name: 'JWKS over the Backend API', options: { secretKey: facts.secret_key, apiUrl: facts.api_url } },
    { name: 'PEM public key', options: { jwtKey: facts.public_key_pem } },
  ];
}, { timeout: 180_000 }); // cold Go builds on a small machine

after(async () => {
  await emu?.stop();
});

async function refusal(token, options) {
  return verifyToken(token, options).then(
    (claims) => assert.fail(`verifyToken accepted: ${JSON.stringify(claims)}`),
    (err) => {
      assert.ok(err instanceof TokenVerificationError, `${err}`);
      return err;
    },
  );
}

// authenticate runs Clerk's request authentication, as its middleware does
// for an API call carrying the token as a Bearer header.
function authenticate(token, options = {}) {
  const request = new Request('http://localhost:3000/api/get-token-example', {
    headers: { Authorization: `Bearer ${token}` },
  });
  return clerk.authenticateRequest(request, options);
}

function assertSessionClaims(claims) {
  assert.equal(claims.sid, facts.session_id);
  assert.equal(claims.sub, facts.user_id);
  assert.equal(claims.iss, facts.issuer);
  assert.equal(claims.azp, 'http://localhost:3000');
  assert.equal(claims.v, 2);
  assert.equal(claims.sts, 'active');
}

describe("Clerk's verifyToken accepts the emulator's session tokens", () => {
  test('the printed session token, in both key modes', async () => {
    for (const mode of [0, 1]) {
      const claims = await verifyToken(facts.session_token, keyModes[mode].options);
      assertSessionClaims(claims);
    }
  });

  test("a session token minted over the API by Clerk's own client", async () => {
    const { jwt } = await clerk.sessions.getToken(facts.session_id);
    assert.equal(decodeJwt(jwt).header.cat, CAT_SESSION);
    for (const mode of keyModes) assertSessionClaims(await verifyToken(jwt, mode.options));
  });

  test('with the issuer and authorized party pinned', async () => {
    const claims = await verifyToken(facts.session_token, {
      jwtKey: facts.public_key_pem,
      issuer: facts.issuer,
      authorizedParties: ['http://localhost:3000'],
    });
    assertSessionClaims(claims);
    const err = await refusal(facts.session_token, {
      jwtKey: facts.public_key_pem,
      authorizedParties: ['https://other.example'],
    });
    assert.equal(err.reason, 'token-invalid-authorized-parties');
    const iss = await refusal(facts.session_token, { jwtKey: facts.public_key_pem, issuer: 'https://clerk.other.example' });
    assert.equal(iss.reason, 'token-invalid-issuer');
  });

  test('authenticateRequest: signed in, and the v2 claims decode to the seeded user and organization', async () => {
    for (const options of [{}, { jwtKey: facts.public_key_pem }]) {
      const state = await authenticate(facts.session_token, options);
      assert.equal(state.status, 'signed-in', `${state.reason} ${state.message}`);
      const auth = state.toAuth();
      assert.equal(auth.userId, facts.user_id);
      assert.equal(auth.sessionId, facts.session_id);
      assert.equal(auth.sessionStatus, 'active');
      assert.equal(auth.orgId, facts.organization_id);
      assert.equal(auth.orgRole, 'org:admin');
      assert.equal(auth.orgSlug, 'acme');
      // The emulator packs these as fea "o:memberships", per "read,manage",
      // fpm "3"; Clerk's parser must unpack them to exactly this.
      assert.deepEqual(auth.orgPermissions, ['org:memberships:read', 'org:memberships:manage']);
      assert.equal(auth.factorVerificationAge[1], -1, 'no second factor');
      assert.ok(Number.isInteger(auth.factorVerificationAge[0]) && auth.factorVerificationAge[0] >= 0);
    }
  });
});

describe("Clerk's verifier refuses what it must", () => {
  test('template tokens: verifyToken alone accepts them, request authentication refuses them', async () => {
    // Finding: verifyToken refuses only the M2M category; the template
    // category (cl_B7d4PD222AAA) is refused one level up, in
    // authenticateRequest. clerkkit's VerifyToken refuses it itself, with
    // the same reason. This asserts Clerk's behaviour so a change shows up.
    const { header } = decodeJwt(facts.template_token);
    assert.equal(header.cat, CAT_TEMPLATE);
    for (const mode of keyModes) {
      const claims = await verifyToken(facts.template_token, mode.options);
      assert.equal(claims.name, 'Ada Lovelace');
    }
    for (const options of [{}, { jwtKey: facts.public_key_pem }]) {
      const state = await authenticate(facts.template_token, options);
      assert.equal(state.status, 'signed-out');
      assert.equal(state.reason, 'token-type-mismatch');
    }
  });

  test('expired session tokens: token-expired', async () => {
    const { token } = await emu.control('session-token expired');
    for (const mode of keyModes) {
      const err = await refusal(token, mode.options);
      assert.equal(err.reason, 'token-expired', mode.name);
    }
    const state = await authenticate(token);
    assert.equal(state.status, 'signed-out');
    assert.match(state.message, /reason=token-expired/);
  });

  test('expired template tokens: token-expired', async () => {
    const { token } = await emu.control('template-token expired');
    const err = await refusal(token, { jwtKey: facts.public_key_pem });
    assert.equal(err.reason, 'token-expired');
  });

  test('not-yet-valid session tokens: token-not-active-yet (nbf is checked before iat)', async () => {
    const { token } = await emu.control('session-token not-yet-valid');
    for (const mode of keyModes) {
      const err = await refusal(token, mode.options);
      assert.equal(err.reason, 'token-not-active-yet', mode.name);
    }
  });

  test("a token signed by a key outside the emulator's JWKS", async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { header, payload } = decodeJwt(facts.session_token);
    const forged = signCompact(header, payload, privateKey);
    // Same kid as the instance key: the key is found and the signature fails.
    for (const mode of keyModes) {
      assert.equal((await refusal(forged, mode.options)).reason, 'token-invalid-signature', mode.name);
    }
    // An unknown kid: over the API, no such key.
    const unknownKid = signCompact({ ...header, kid: 'ins_notInThisInstance' }, payload, privateKey);
    assert.equal((await refusal(unknownKid, keyModes[0].options)).reason, 'jwk-kid-mismatch');
  });

  test('a tampered payload: token-invalid-signature', async () => {
    const [h, , s] = facts.session_token.split('.');
    const { payload } = decodeJwt(facts.session_token);
    const p = Buffer.from(JSON.stringify({ ...payload, sub: 'user_someoneElse' })).toString('base64url');
    for (const mode of keyModes) {
      assert.equal((await refusal(`${h}.${p}.${s}`, mode.options)).reason, 'token-invalid-signature', mode.name);
    }
  });

  test("a wrong secret key: the emulator's JWKS refusal reads as secret-key-invalid", async () => {
    const err = await refusal(facts.session_token, {
      secretKey: 'sk_test_notTheEmulatorsKey0123456789abcdefghij',
      apiUrl: facts.api_url,
    });
    assert.equal(err.reason, 'secret-key-invalid');
  });
});

describe("ours reaches the same verdicts on the emulator's tokens", () => {
  test('in both key modes', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { header, payload } = decodeJwt(facts.session_token);
    const cases = [
      { name: 'session token', token: facts.session_token, clerk: 'accepted', ours: 'accepted' },
      { name: 'session token minted over the API', token: (await clerk.sessions.getToken(facts.session_id)).jwt, clerk: 'accepted', ours: 'accepted' },
      // Clerk's verifyToken lets template tokens through (see above); its
      // request authentication and ours refuse them.
      { name: 'template token', token: facts.template_token, clerk: 'accepted', ours: 'token-type-mismatch' },
      { name: 'expired', token: (await emu.control('session-token expired')).token, clerk: 'token-expired', ours: 'token-expired' },
      {
        name: 'not yet valid',
        token: (await emu.control('session-token not-yet-valid')).token,
        clerk: 'token-not-active-yet',
        ours: 'token-not-active-yet',
      },
      { name: 'forged', token: signCompact(header, payload, privateKey), clerk: 'token-invalid-signature', ours: 'token-invalid-signature' },
    ];
    const envs = [
      { name: keyModes[0].name, env: { CLERK_SECRET_KEY: facts.secret_key, CLERK_API_URL: facts.api_url } },
      { name: keyModes[1].name, env: { CLERK_JWT_KEY: facts.public_key_pem } },
    ];
    for (const [m, { name, env }] of envs.entries()) {
      const ours = await goVerify(
        cases.map((c) => c.token),
        { ...env, CLERK_PUBLISHABLE_KEY: facts.publishable_key, CLERK_AUTHORIZED_PARTIES: 'http://localhost:3000' },
      );
      for (const [i, c] of cases.entries()) {
        const clerkGot = await verifyToken(c.token, keyModes[m].options).then(
          () => 'accepted',
          (e) => e.reason,
        );
        const got = { clerk: clerkGot, ours: ours[i].ok ? 'accepted' : ours[i].reason };
        assert.deepEqual(got, { clerk: c.clerk, ours: c.ours }, `${c.name}, ${name}`);
        if (ours[i].ok) {
          assert.equal(ours[i].session_id, facts.session_id);
          assert.deepEqual(ours[i].org_permissions, ['org:memberships:read', 'org:memberships:manage']);
        }
      }
    }
  });
});
