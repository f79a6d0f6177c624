// Part 3: clerkkit's verifier agrees with Clerk's. Tokens signed by
// @clerk/backend's own signJwt with a key made here verify in our core
// through CLERK_JWT_KEY and read the same; a table of bad tokens is
// refused by both, case by case; and where the two differ on purpose, the
// difference is pinned down and explained.
//
// Both sides get the same configuration: the PEM key, the issuer (Clerk:
// `issuer`; ours: derived from CLERK_PUBLISHABLE_KEY) and one authorized
// party. Clerk's side is judged twice: verifyToken, and authenticateRequest
// with the token as a Bearer header, since some refusals (token categories,
// machine tokens) live only in the latter.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { before, describe, test } from 'node:test';

import { createClerkClient, verifyToken } from '@clerk/backend';
import { TokenVerificationError } from '@clerk/backend/errors';

import { CAT_TEMPLATE, GOCLI_PKG, buildGo, goVerify, signCompact } from './helpers.js';
import {
  AZP,
  ISSUER,
  KID,
  PUBLISHABLE_KEY,
  SESSION,
  USER,
  b64url,
  clerkSign,
  makeKeys,
  sessionClaims,
  sessionHeader,
} from './tokens.js';

// One instance key pair and one clock reading for the whole file, so the
// tables below can be built when the tests are declared. The Go command is
// built first, so a slow cold build cannot age the tokens.
await buildGo(GOCLI_PKG);
const keys = makeKeys();
const now = Math.floor(Date.now() / 1000);

function clerkOptions() {
  return { jwtKey: keys.publicPem, issuer: ISSUER, authorizedParties: [AZP] };
}

// clerkVerdict runs both of Clerk's entry points on a token.
async function clerkVerdict(token) {
  let verify;
  try {
    verify = { ok: true, claims: await verifyToken(token, clerkOptions()) };
  } catch (err) {
    assert.ok(err instanceof TokenVerificationError, `verifyToken threw ${err}`);
    verify = { ok: false, reason: err.reason, message: err.message };
  }
  const client = createClerkClient({
    // authenticateRequest insists on a secret key even when jwtKey makes
    // it unnecessary; this one is never sent anywhere.
    secretKey: 'sk_test_unusedWithJwtKey000000000000000000',
    publishableKey: PUBLISHABLE_KEY,
    jwtKey: keys.publicPem,
    telemetry: { disabled: true },
  });
  const state = await client.authenticateRequest(
    new Request('http://localhost:3000/api/get-token-example', { headers: { Authorization: `Bearer ${token}` } }),
    { issuer: ISSUER, authorizedParties: [AZP] },
  );
  return { verify, request: { status: state.status, reason: state.reason, auth: state.toAuth() } };
}

function oursEnv() {
  return { CLERK_JWT_KEY: keys.publicPem, CLERK_PUBLISHABLE_KEY: PUBLISHABLE_KEY, CLERK_AUTHORIZED_PARTIES: AZP };
}

describe('tokens signed by Clerk\'s signJwt verify in ours and read the same', () => {
  const v2Org = {
    fea: 'o:impersonation,o:memberships',
    o: { id: 'org_2interopOrg0000000000000000', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '1,3' },
  };
  const good = [
    { name: 'v2 session token', claims: () => sessionClaims(now) },
    {
      name: 'v2 with organization and feature-permission bitmasks',
      claims: () => ({ ...sessionClaims(now), ...v2Org }),
      permissions: ['org:impersonation:read', 'org:memberships:read', 'org:memberships:manage'],
    },
    {
      name: 'v1 organization claims',
      claims: () => ({
        ...sessionClaims(now),
        v: undefined,
        fva: undefined,
        sts: undefined,
        org_id: 'org_2interopOrg0000000000000000',
        org_role: 'org:admin',
        org_slug: 'acme',
        org_permissions: ['org:billing:read', 'org:memberships:manage'],
      }),
    },
    {
      name: 'minimal claims: sub, sid, exp, iss, azp',
      claims: () => ({ sub: USER, sid: SESSION, exp: now + 60, iss: ISSUER, azp: AZP }),
    },
    {
      name: 'impersonation (act)',
      claims: () => ({ ...sessionClaims(now), act: { iss: 'https://dashboard.clerk.com', sid: 'sess_actor', sub: 'user_admin' } }),
    },
    { name: 'no kid: the PEM key needs none', claims: () => sessionClaims(now), header: { typ: 'JWT' } },
    { name: 'no typ', claims: () => sessionClaims(now), header: { kid: KID } },
    {
      name: 'unknown header parameter',
      claims: () => sessionClaims(now),
      header: { ...sessionHeader(), 'x-future': { a: 1 } },
    },
  ];

  let tokens;
  let ours;
  before(async () => {
    tokens = await Promise.all(good.map((g) => clerkSign(g.claims(), keys.privatePem, { header: g.header })));
    ours = await goVerify(tokens, oursEnv());
  });

  for (const [i, g] of good.entries()) {
    test(g.name, async () => {
      const clerk = await clerkVerdict(tokens[i]);
      assert.ok(clerk.verify.ok, `Clerk's verifyToken refused: ${clerk.verify.reason}`);
      assert.equal(clerk.request.status, 'signed-in', clerk.request.reason);
      assert.ok(ours[i].ok, `ours refused: ${ours[i].reason} ${ours[i].message}`);
      const a = clerk.request.auth;
      const o = ours[i];
      assert.equal(o.user_id, a.userId, 'userId');
      assert.equal(o.session_id, a.sessionId, 'sessionId');
      assert.equal(o.org_id ?? null, a.orgId ?? null, 'orgId');
      assert.equal(o.org_role ?? null, a.orgRole ?? null, 'orgRole');
      assert.equal(o.org_slug ?? null, a.orgSlug ?? null, 'orgSlug');
      assert.deepEqual(o.org_permissions ?? [], a.orgPermissions ?? [], 'orgPermissions');
      assert.deepEqual(o.claims, clerk.verify.claims, 'all claims');
      if (g.permissions) assert.deepEqual(o.org_permissions, g.permissions, 'as Clerk documents the encoding');
    });
  }
});

// Bad tokens. `clerk` is the reason of Clerk's verifyToken ('accepted' when
// it lets the token through and only authenticateRequest refuses, with
// `clerkRequest` as the reason); `ours` is our Reason. Where the two name
// the refusal differently, `why` says so.
function badTokens() {
  const C = sessionClaims(now);
  const H = sessionHeader();
  const P = keys.privatePem;
  const signed = (claims, header = H) => clerkSign(claims, P, { header });
  // Hand-made with node:crypto: signJwt always sets iat to now.
  const raw = (header, payload, key = P, hash) => signCompact(header, payload, key, hash);
  const good = async () => (await signed(C)).split('.');
  return [
    {
      name: 'alg none, empty signature',
      make: async () => {
        const [, p] = await good();
        return `${b64url({ alg: 'none', typ: 'JWT' })}.${p}.`;
      },
      clerk: 'token-invalid-algorithm',
      ours: 'token-invalid',
      why: 'ours refuses the empty signature segment as malformed before looking at alg',
    },
    {
      name: 'alg none, real signature kept',
      make: async () => {
        const [, p, s] = await good();
        return `${b64url({ alg: 'none', typ: 'JWT', kid: KID })}.${p}.${s}`;
      },
      clerk: 'token-invalid-algorithm',
      ours: 'token-invalid-algorithm',
    },
    {
      name: 'HS256 keyed with the public PEM (algorithm confusion)',
      make: async () => {
        const [, p] = await good();
        const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid: KID })}.${p}`;
        return `${input}.${createHmac('sha256', keys.publicPem).update(input).digest('base64url')}`;
      },
      clerk: 'token-invalid-algorithm',
      ours: 'token-invalid-algorithm',
    },
    {
      name: 'ES256 claimed',
      make: async () => {
        const [, p, s] = await good();
        return `${b64url({ ...H, alg: 'ES256' })}.${p}.${s}`;
      },
      clerk: 'token-invalid-algorithm',
      ours: 'token-invalid-algorithm',
    },
    {
      name: 'PS256 claimed',
      make: async () => {
        const [, p, s] = await good();
        return `${b64url({ ...H, alg: 'PS256' })}.${p}.${s}`;
      },
      clerk: 'token-invalid-algorithm',
      ours: 'token-invalid-algorithm',
    },
    {
      name: 'alg missing',
      make: async () => raw(H, { ...C, iat: now }),
      clerk: 'token-invalid-algorithm',
      ours: 'token-invalid-algorithm',
    },
    {
      name: 'header says RS512, signed RS256',
      make: async () => raw({ ...H, alg: 'RS512' }, { ...C, iat: now }),
      clerk: 'token-verification-failed',
      ours: 'token-invalid-signature',
      why: "Clerk's key import fails (its JWK is fixed to RS256) before the signature is checked",
    },
    {
      name: 'signed by another key under the instance kid',
      make: async () => clerkSign(C, keys.strangerPem),
      clerk: 'token-invalid-signature',
      ours: 'token-invalid-signature',
    },
    {
      name: 'tampered payload (sub changed)',
      make: async () => {
        const [h, , s] = await good();
        return `${h}.${b64url({ ...C, iat: now, sub: 'user_someoneElse' })}.${s}`;
      },
      clerk: 'token-invalid-signature',
      ours: 'token-invalid-signature',
    },
    {
      name: 'tampered header (parameter added)',
      make: async () => {
        const [, p, s] = await good();
        return `${b64url({ ...H, alg: 'RS256', x: 1 })}.${p}.${s}`;
      },
      clerk: 'token-invalid-signature',
      ours: 'token-invalid-signature',
    },
    {
      name: 'truncated signature',
      make: async () => {
        const [h, p, s] = await good();
        return `${h}.${p}.${Buffer.from(s, 'base64url').subarray(0, 253).toString('base64url')}`;
      },
      clerk: 'token-invalid-signature',
      ours: 'token-invalid-signature',
    },
    {
      name: 'expired a minute ago',
      make: () => signed({ ...C, exp: now - 60, nbf: now - 130 }),
      clerk: 'token-expired',
      ours: 'token-expired',
    },
    {
      name: 'exp exactly at now − skew (5 s)',
      make: () => signed({ ...C, exp: now - 5 }),
      clerk: 'token-expired',
      ours: 'token-expired',
    },
    {
      name: 'nbf 30 s ahead',
      make: () => signed({ ...C, nbf: now + 30, exp: now + 90 }),
      clerk: 'token-not-active-yet',
      ours: 'token-not-active-yet',
    },
    {
      name: 'iat 30 s ahead',
      make: async () => raw({ ...H, alg: 'RS256' }, { ...C, iat: now + 30, exp: now + 90 }),
      clerk: 'token-iat-in-the-future',
      ours: 'token-iat-in-the-future',
    },
    {
      name: 'exp missing',
      make: () => signed({ ...C, exp: undefined }),
      clerk: 'token-verification-failed',
      ours: 'token-verification-failed',
    },
    {
      name: 'exp is a string',
      make: () => signed({ ...C, exp: 'tomorrow' }),
      clerk: 'token-verification-failed',
      ours: 'token-verification-failed',
    },
    {
      name: 'sub missing',
      make: () => signed({ ...C, sub: undefined }),
      clerk: 'token-verification-failed',
      ours: 'token-verification-failed',
    },
    {
      name: 'azp not an authorized party',
      make: () => signed({ ...C, azp: 'https://evil.example' }),
      clerk: 'token-invalid-authorized-parties',
      ours: 'token-invalid-authorized-parties',
    },
    {
      name: 'azp missing while parties are configured',
      make: () => signed({ ...C, azp: undefined }),
      clerk: 'token-invalid-authorized-parties',
      ours: 'token-invalid-authorized-parties',
    },
    {
      name: "iss of another instance",
      make: () => signed({ ...C, iss: 'https://clerk.evil.example' }),
      clerk: 'token-invalid-issuer',
      ours: 'token-invalid-issuer',
    },
    {
      name: 'JWT template token (cat cl_B7d4PD222AAA)',
      make: () => signed({ ...C, sid: undefined, v: undefined }, { ...H, cat: CAT_TEMPLATE }),
      clerk: 'accepted',
      clerkRequest: 'token-type-mismatch',
      ours: 'token-type-mismatch',
      why: "Clerk's verifyToken refuses only the M2M category; its request authentication refuses the rest",
    },
    {
      name: 'M2M token (cat cl_B7d4PD333AAA)',
      make: () => signed(C, { ...H, cat: 'cl_B7d4PD333AAA' }),
      clerk: 'token-invalid',
      ours: 'token-type-mismatch',
      why: 'Clerk says the token is invalid as a session token; ours names the type mix-up',
    },
    {
      name: 'machine token by sub (mch_)',
      make: () => signed({ ...C, sub: 'mch_2interopMachine0000000000000' }),
      clerk: 'accepted',
      clerkRequest: 'token-type-mismatch',
      ours: 'token-type-mismatch',
      why: "only Clerk's request authentication looks at the sub prefix",
    },
    {
      name: 'OAuth access token (typ at+jwt)',
      make: () => signed(C, { ...H, typ: 'at+jwt' }),
      clerk: 'token-invalid',
      clerkRequest: 'token-type-mismatch',
      ours: 'token-type-mismatch',
    },
    {
      name: 'typ other than JWT',
      make: () => signed(C, { ...H, typ: 'JOSE' }),
      clerk: 'token-invalid',
      ours: 'token-invalid',
    },
    {
      name: 'two parts',
      make: async () => {
        const [h, p] = await good();
        return `${h}.${p}`;
      },
      clerk: 'token-invalid',
      ours: 'token-invalid',
    },
    {
      name: 'standard base64 alphabet in the signature',
      make: async () => {
        const [h, p, s] = await good();
        return `${h}.${p}.${s.replace(/[-_]/g, '+')}${/[-_]/.test(s) ? '' : '+'}`;
      },
      clerk: 'token-invalid',
      ours: 'token-invalid',
    },
    {
      name: 'header is not JSON',
      make: async () => {
        const [, p, s] = await good();
        return `${b64url('{"alg":"RS256",')}.${p}.${s}`;
      },
      clerk: 'token-invalid',
      ours: 'token-invalid',
    },
  ];
}

describe('bad tokens are refused by both, case by case', () => {
  const cases = badTokens();
  let tokens;
  let ours;
  before(async () => {
    tokens = await Promise.all(cases.map((c) => c.make()));
    ours = await goVerify(tokens, oursEnv());
  });

  test('the table has at least 15 cases', () => assert.ok(cases.length >= 15, `${cases.length}`));

  for (const [i, c] of cases.entries()) {
    test(c.name, async () => {
      const clerk = await clerkVerdict(tokens[i]);
      const got = {
        clerk: clerk.verify.ok ? 'accepted' : clerk.verify.reason,
        clerkRequest: clerk.request.status,
        ours: ours[i].ok ? 'accepted' : ours[i].reason,
      };
      const want = { clerk: c.clerk, clerkRequest: 'signed-out', ours: c.ours };
      if (c.clerkRequest) {
        got.clerkRequestReason = clerk.request.reason;
        want.clerkRequestReason = c.clerkRequest;
      }
      assert.deepEqual(got, want);
    });
  }
});

// Deliberate disagreements: tokens Clerk's verifier lets through and ours
// refuses, or the reverse. Each is pinned, so a change on either side
// shows up here first.
function disagreements() {
  const C = sessionClaims(now);
  const H = sessionHeader();
  const P = keys.privatePem;
  const signed = (claims, header = H, algorithm) => clerkSign(claims, P, { header, algorithm });
  return [
    {
      name: 'RS384 signed by signJwt',
      make: () => signed(C, H, 'RS384'),
      clerk: 'token-verification-failed',
      ours: 'accepted',
      why: "Clerk builds its JWK from the PEM with alg fixed to RS256, so WebCrypto refuses RS384; ours allows RS256/384/512 with a PEM key, as Clerk's own algorithm list does",
    },
    {
      name: 'RS512 signed by signJwt',
      make: () => signed(C, H, 'RS512'),
      clerk: 'token-verification-failed',
      ours: 'accepted',
      why: 'as RS384',
    },
    {
      name: 'sid missing',
      make: () => signed({ ...C, sid: undefined }),
      clerk: 'accepted',
      ours: 'token-verification-failed',
      why: 'a token without a session is not a session token; Clerk only requires sub',
    },
    {
      name: 'crit header parameter',
      make: () => signed(C, { ...H, crit: ['exp'] }),
      clerk: 'accepted',
      ours: 'token-invalid',
      why: 'RFC 7515 4.1.11: a verifier must refuse crit extensions it does not understand',
    },
    {
      name: 'duplicate claim (two sub members)',
      make: async () =>
        signCompact({ ...H, alg: 'RS256' }, JSON.stringify({ ...C, iat: now }).replace('{', '{"sub":"user_evil",'), P),
      clerk: 'accepted',
      ours: 'token-invalid',
      why: 'parsers disagree on which duplicate wins; ours refuses the ambiguity',
    },
    {
      name: 'base64 padding after the signature',
      make: async () => (await signed(C)) + '==',
      clerk: 'accepted',
      ours: 'token-invalid',
      why: 'RFC 7515 base64url has no padding; Clerk decodes loosely',
    },
    {
      name: 'token larger than 8 KiB',
      make: () => signed({ ...C, pad: 'x'.repeat(9000) }),
      clerk: 'accepted',
      ours: 'token-too-large',
      why: 'ours bounds work per request (WithMaxTokenBytes); a session cookie cannot exceed 4 KiB anyway',
    },
    {
      name: 'pending session (sts pending)',
      make: () => signed({ ...C, sts: 'pending' }),
      clerk: 'accepted',
      ours: 'session-pending',
      why: "Clerk verifies it and its toAuth() then reads it as signed out (userId null), so both end signed out",
      clerkAuthSignedOut: true,
    },
  ];
}

describe('deliberate disagreements, pinned', () => {
  const cases = disagreements();
  let tokens;
  let ours;
  before(async () => {
    tokens = await Promise.all(cases.map((c) => c.make()));
    ours = await goVerify(tokens, oursEnv());
  });

  for (const [i, c] of cases.entries()) {
    test(c.name, async () => {
      const clerk = await clerkVerdict(tokens[i]);
      const got = { clerk: clerk.verify.ok ? 'accepted' : clerk.verify.reason, ours: ours[i].ok ? 'accepted' : ours[i].reason };
      const want = { clerk: c.clerk, ours: c.ours };
      // authenticateRequest follows verifyToken for every case here.
      got.clerkRequest = clerk.request.status;
      want.clerkRequest = c.clerk === 'accepted' ? 'signed-in' : 'signed-out';
      if (c.clerkAuthSignedOut) {
        got.clerkUserId = clerk.request.auth.userId;
        want.clerkUserId = null;
      }
      assert.deepEqual(got, want);
    });
  }
});
