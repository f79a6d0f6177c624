// Authorization: has() in Clerk's SDKs and our Auth.Has judge the same
// session tokens. Each case signs a token with claims made here and asks
// both sides the same question: Clerk through the real pipeline,
// authenticateRequest(...).toAuth().has(params), which reads the
// organization, fea, pla and fva claims the way every Clerk SDK does; ours
// through `gocli has`, which verifies the token with CLERK_JWT_KEY and
// builds the requirements from the same params. The answer each case
// names is expected from both.
//
// Where the two differ on purpose, the case pins both answers and says
// why; where ours is wrong, the case says so in `bug` and pins today's
// answers, so that fixing either side fails here first and the pin goes.
//
// Authorize's 403 body for a stale verification is judged by
// @clerk/shared's own reverificationError and isReverificationHint, the
// functions Clerk's front end reads it with.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { createClerkClient } from '@clerk/backend';
import { validateReverificationConfig } from '@clerk/shared/authorization';
import { isReverificationHint, reverificationError } from '@clerk/shared/authorization-errors';

import { GOCLI_PKG, buildGo, goHas, signCompact } from './helpers.js';
import { AZP, ISSUER, KID, PUBLISHABLE_KEY, clerkSign, makeKeys, sessionClaims, sessionHeader } from './tokens.js';

// Built first, so a slow cold build cannot age the tokens.
await buildGo(GOCLI_PKG);
const keys = makeKeys();
const now = Math.floor(Date.now() / 1000);

const CAT_M2M = 'cl_B7d4PD333AAA';
const ORG = { id: 'org_2interopOrg0000000000000000', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '1,3' };
// With ORG: impersonation:read, memberships:read, memberships:manage.
const ORG_FEA = 'o:impersonation,o:memberships';

// Claims over the default v2 session claims (fva [3, -1]); undefined drops
// a claim.
const withOrg = (o = {}, fea = ORG_FEA) => ({ o: { ...ORG, ...o }, fea });
const v1Org = (extra = {}) => ({
  v: undefined,
  org_id: ORG.id,
  org_slug: 'acme',
  org_role: 'org:admin',
  org_permissions: ['org:billing:read'],
  ...extra,
});

// Tokens: signed by Clerk's signJwt, or by hand where the claims must be
// raw JSON text (an fva number written 3.0 or 9e0).
const signed = (claims = {}) => clerkSign({ ...sessionClaims(now), ...claims }, keys.privatePem);
const rawFva = (fvaText) => () => {
  const body = JSON.stringify({ ...sessionClaims(now), fva: undefined, iat: now });
  return signCompact({ ...sessionHeader(), alg: 'RS256' }, `${body.slice(0, -1)},"fva":${fvaText}}`, keys.privatePem);
};
const m2mJwt = () =>
  signCompact(
    { alg: 'RS256', kid: KID, typ: 'JWT', cat: CAT_M2M },
    { iss: ISSUER, sub: 'mch_2interopMachine0000000000000', jti: 'mt_2interop', iat: now, nbf: now - 10, exp: now + 600 },
    keys.privatePem,
  );

const MACHINE_ROUTE = ['session_token', 'm2m_token'];

// Reasons and bugs shared by several cases.
const WHY = {
  fvaRefused:
    "ours refuses a session token whose fva is not two integers (token-verification-failed) where Clerk's SDK signs it in and has() fails the reverification; a whole token is not trusted when one claim is malformed",
  emptyName:
    "Clerk's has() takes an empty string as a name to look for, which a claim with an empty name (\"o:\", \"org:\") matches; ours refuses an empty requirement as one that can never be met (Requirement.Err) and RequireAuth refuses it where the guard is built",
};

// The feature matrix: each fea claim against every query form; the
// string under each claim is the answer per query, T or F, in order.
const FEATURE_QUERIES = ['export', 'o:export', 'org:export', 'organization:export', 'u:export', 'user:export', 'x:export', 'o:', 'o:export:y'];
const FEATURE_MATRIX = [
  ['o:export', 'TTTTFFFFT'],
  ['u:export', 'TFFFTTFFF'],
  ['ou:export', 'TTTTTTFFT'],
  ['uo:export', 'TTTTTTFFT'],
  ['x:export', 'FFFFFFFFF'], // an unknown claim scope is ignored
  ['export', 'FFFFFFFFF'], // an element without a colon fails the claim
  ['', 'FFFFFFFFF'],
  ['o:other, u:export', 'TFFFTTFFF'],
  ['o:other,export', 'FFFFFFFFF'],
  ['o:export:extra', 'FFFFFFFFF'], // the name is "export:extra"
];
// Queries that can never pass in ours (Requirement.Err).
const INVALID_QUERIES = new Set(['x:export']);

// Each case: name; claims (over the default session claims) or token();
// params as has() takes them; want, both sides' answer; signedIn (default
// true) on both sides; invalid when our Requirement.Err refuses a
// requirement; accepts, the token types the route takes. A case where
// the sides differ has differ: {clerk, ours, why | bug}, each side's
// expected fields.
function cases() {
  const out = [];
  const add = (c) => out.push(c);

  // Roles.
  add({ name: 'role without the org: prefix', claims: withOrg(), params: { role: 'admin' }, want: true });
  add({ name: 'role with the org: prefix', claims: withOrg(), params: { role: 'org:admin' }, want: true });
  add({ name: 'role org:org:admin', claims: withOrg(), params: { role: 'org:org:admin' }, want: true });
  add({ name: 'another role', claims: withOrg(), params: { role: 'member' }, want: false });
  add({ name: 'roles are case-sensitive', claims: withOrg(), params: { role: 'Admin' }, want: false });
  add({ name: 'role with a leading space', claims: withOrg(), params: { role: ' admin' }, want: false });
  add({ name: 'o.rol already prefixed (org:admin)', claims: withOrg({ rol: 'org:admin' }), params: { role: 'admin' }, want: true });
  add({ name: 'role, no active organization', claims: { fea: ORG_FEA }, params: { role: 'admin' }, want: false });
  add({ name: 'role, organization without a role', claims: withOrg({ rol: undefined }), params: { role: 'admin' }, want: false });
  add({ name: 'role, organization without an id', claims: withOrg({ id: undefined }), params: { role: 'admin' }, want: false });
  add({ name: 'v1 org_role org:admin asked as admin', claims: v1Org(), params: { role: 'admin' }, want: true });
  add({ name: 'v1 org_role without the prefix asked as org:admin', claims: v1Org({ org_role: 'admin' }), params: { role: 'org:admin' }, want: true });
  add({ name: 'v1 role, no org_id', claims: v1Org({ org_id: undefined }), params: { role: 'admin' }, want: false });
  add({ name: 'empty role', claims: withOrg(), params: { role: '' }, want: false, invalid: true });
  add({ name: 'role "org:"', claims: withOrg(), params: { role: 'org:' }, want: false, invalid: true });
  add({
    name: 'empty role against o.rol "org:"',
    claims: withOrg({ rol: 'org:' }),
    params: { role: '' },
    invalid: true,
    differ: { clerk: { has: true }, ours: { has: false }, why: WHY.emptyName },
  });

  // Permissions (v2: o.per, o.fpm over the org features of fea).
  add({ name: 'permission without the org: prefix', claims: withOrg(), params: { permission: 'memberships:manage' }, want: true });
  add({ name: 'permission with the org: prefix', claims: withOrg(), params: { permission: 'org:memberships:manage' }, want: true });
  add({ name: 'permission with a doubled prefix', claims: withOrg(), params: { permission: 'org:org:memberships:read' }, want: true });
  add({ name: 'permission of the first feature (mask 1)', claims: withOrg(), params: { permission: 'impersonation:read' }, want: true });
  add({ name: 'permission whose bit is not set', claims: withOrg(), params: { permission: 'impersonation:manage' }, want: false });
  add({ name: 'permission without its feature', claims: withOrg(), params: { permission: 'manage' }, want: false });
  add({ name: 'permission, no active organization', claims: { fea: ORG_FEA }, params: { permission: 'memberships:read' }, want: false });
  add({ name: 'mask bits past the end of per are ignored', claims: withOrg({ fpm: '1,7' }), params: { permission: 'memberships:manage' }, want: true });
  add({ name: 'fewer masks than org features: the last has none', claims: withOrg({ fpm: '1,2' }, 'o:a,o:b,o:c'), params: { permission: 'c:read' }, want: false });
  add({ name: 'fewer masks than org features: the others keep theirs', claims: withOrg({ fpm: '1,2' }, 'o:a,o:b,o:c'), params: { permission: 'b:manage' }, want: true });
  add({ name: 'user features hold no permissions', claims: withOrg({ fpm: '1,1' }, 'u:x,o:a'), params: { permission: 'x:read' }, want: false });
  add({ name: 'user features take no mask', claims: withOrg({ fpm: '1,2' }, 'u:x,o:a'), params: { permission: 'a:read' }, want: true });
  add({ name: 'ou: and uo: features are the organization\'s', claims: withOrg({ fpm: '1,2' }, 'ou:a,uo:b'), params: { permission: 'b:manage' }, want: true });
  add({ name: 'a mask that is not a decimal grants nothing', claims: withOrg({ fpm: 'x,3' }), params: { permission: 'impersonation:read' }, want: false });
  add({ name: 'a bad mask keeps its place', claims: withOrg({ fpm: 'x,3' }), params: { permission: 'memberships:manage' }, want: true });
  add({ name: 'a mask over 64 bits', claims: withOrg({ fpm: '1,18446744073709551618' }), params: { permission: 'memberships:manage' }, want: true });
  add({ name: 'masks with leading zeros', claims: withOrg({ fpm: '001,002' }), params: { permission: 'memberships:manage' }, want: true });
  add({ name: 'no fpm: no permissions', claims: withOrg({ fpm: undefined }), params: { permission: 'memberships:read' }, want: false });
  add({ name: 'empty permission', claims: withOrg(), params: { permission: '' }, want: false, invalid: true });
  add({ name: 'v1 org_permissions', claims: v1Org(), params: { permission: 'billing:read' }, want: true });
  add({ name: 'v1 permission not listed', claims: v1Org(), params: { permission: 'org:billing:manage' }, want: false });
  add({ name: 'per with an empty element keeps the places', claims: withOrg({ per: 'read,,manage', fpm: '0,4' }), params: { permission: 'memberships:manage' }, want: true });
  add({
    name: 'per with an empty element: the empty permission',
    claims: withOrg({ per: 'read,,manage', fpm: '0,2' }),
    params: { permission: 'memberships:' },
    differ: {
      clerk: { has: true },
      ours: { has: false },
      why: 'Clerk grants "org:memberships:" for the empty name in per; ours never grants a permission without a name',
    },
  });
  add({
    name: 'fea element without a colon in a token with an organization',
    claims: withOrg({}, 'x,o:memberships'),
    params: { permission: 'memberships:read' },
    differ: {
      clerk: { threw: /missing colon/ },
      ours: { has: true },
      why: "Clerk's SDK throws from toAuth() (its claim parser refuses the whole fea); ours skips the element when it decodes the permissions, and a feature query on that fea fails",
    },
  });
  add({
    name: 'fea with a space after the comma: the permissions of the second feature',
    claims: withOrg({}, 'o:impersonation, o:memberships'),
    params: { permission: 'memberships:manage' },
    want: true,
  });
  add({
    name: 'per with a space after the comma',
    claims: withOrg({ per: 'read, manage' }),
    params: { permission: 'memberships:manage' },
    want: true,
  });
  add({
    name: 'fpm with a space after the comma',
    claims: withOrg({ fpm: '1, 3' }),
    params: { permission: 'memberships:manage' },
    want: true,
  });
  add({
    name: 'an empty org feature ("o:") takes a mask',
    claims: withOrg({ fpm: '1,2' }, 'o:,o:memberships'),
    params: { permission: 'memberships:manage' },
    want: true,
  });

  // Features: the matrix, then the quirks.
  for (const [fea, answers] of FEATURE_MATRIX) {
    for (const [i, q] of FEATURE_QUERIES.entries()) {
      add({
        name: `feature "${q}" against fea "${fea}"`,
        claims: { fea },
        params: { feature: q },
        want: answers[i] === 'T',
        invalid: INVALID_QUERIES.has(q),
      });
    }
  }
  add({ name: 'feature, no fea claim', claims: {}, params: { feature: 'export' }, want: false });
  add({ name: 'feature "o:" names a feature called o', claims: { fea: 'o:o' }, params: { feature: 'o:' }, want: true });
  add({ name: 'feature "u:" names a feature called u', claims: { fea: 'u:u' }, params: { feature: 'u:' }, want: true });
  add({ name: 'feature "org:" names org in the organization\'s scope', claims: { fea: 'o:org' }, params: { feature: 'org:' }, want: true });
  add({ name: 'feature "user:" against an org feature called user', claims: { fea: 'o:user' }, params: { feature: 'user:' }, want: false });
  add({ name: 'feature with an empty scope (":export")', claims: { fea: 'o:export' }, params: { feature: ':export' }, want: false, invalid: true });
  add({ name: 'features are case-sensitive', claims: { fea: 'o:export' }, params: { feature: 'Export' }, want: false });
  add({ name: 'a trailing comma fails the claim', claims: { fea: 'o:export,' }, params: { feature: 'export' }, want: false });
  add({ name: 'tab and newline around elements are trimmed', claims: { fea: 'o:a,\tu:export\n' }, params: { feature: 'u:export' }, want: true });
  add({ name: 'a no-break space is trimmed', claims: { fea: 'o:a,\u00a0u:export' }, params: { feature: 'u:export' }, want: true });
  add({ name: 'empty feature', claims: { fea: 'o:export' }, params: { feature: '' }, want: false, invalid: true });
  add({
    name: 'empty feature against fea with an empty name ("o:")',
    claims: { fea: 'o:,o:export' },
    params: { feature: '' },
    invalid: true,
    differ: { clerk: { has: true }, ours: { has: false }, why: WHY.emptyName },
  });
  add({
    name: 'U+FEFF before an element',
    claims: { fea: 'o:a,\ufeffu:export' },
    params: { feature: 'u:export' },
    want: true,
  });
  add({
    name: 'U+0085 before an element',
    claims: { fea: 'o:a,\u0085u:export' },
    params: { feature: 'u:export' },
    want: false,
  });

  // Plans.
  add({ name: 'plan without a scope, user plan', claims: { pla: 'u:pro' }, params: { plan: 'pro' }, want: true });
  add({ name: 'plan user:', claims: { pla: 'u:pro' }, params: { plan: 'user:pro' }, want: true });
  add({ name: 'plan u:', claims: { pla: 'u:pro' }, params: { plan: 'u:pro' }, want: true });
  add({ name: 'plan o: against a user plan', claims: { pla: 'u:pro' }, params: { plan: 'o:pro' }, want: false });
  add({ name: 'plan org:', claims: { pla: 'o:team' }, params: { plan: 'org:team' }, want: true });
  add({ name: 'plan organization:', claims: { pla: 'o:team' }, params: { plan: 'organization:team' }, want: true });
  add({ name: 'plan u: against an org plan', claims: { pla: 'o:team' }, params: { plan: 'u:team' }, want: false });
  add({ name: 'plan without a scope, two plans', claims: { pla: 'o:team, u:pro' }, params: { plan: 'team' }, want: true });
  add({ name: 'plan read from pla, not fea', claims: { fea: 'u:pro' }, params: { plan: 'pro' }, want: false });
  add({ name: 'plan with an unknown scope', claims: { pla: 'u:pro' }, params: { plan: 'x:pro' }, want: false, invalid: true });
  add({ name: 'plan "o:" against a user plan', claims: { pla: 'u:pro' }, params: { plan: 'o:' }, want: false });
  add({ name: 'pla element without a colon', claims: { pla: 'u:pro,pro' }, params: { plan: 'pro' }, want: false });
  add({ name: 'pla with ou:', claims: { pla: 'ou:pro' }, params: { plan: 'organization:pro' }, want: true });
  add({
    name: 'empty plan against pla with an empty name ("u:")',
    claims: { pla: 'u:' },
    params: { plan: '' },
    invalid: true,
    differ: { clerk: { has: true }, ours: { has: false }, why: WHY.emptyName },
  });

  // Reverification: every preset and custom levels at the boundaries
  // (age == afterMinutes fails, afterMinutes - 1 passes), -1 for never.
  const rv = (name, fva, reverification, want) => add({ name: `${name}: fva ${JSON.stringify(fva)}`, claims: { fva }, params: { reverification }, want });
  rv('strict, second factor 9', [0, 9], 'strict', true);
  rv('strict, second factor 10', [0, 10], 'strict', false);
  rv('strict, no second factor: the first counts, 9', [9, -1], 'strict', true);
  rv('strict, no second factor: the first counts, 10', [10, -1], 'strict', false);
  rv('strict, no first factor, second 9', [-1, 9], 'strict', true);
  rv('strict, no first factor, second 10', [-1, 10], 'strict', false);
  rv('strict, a stale first factor does not matter', [500, 0], 'strict', true);
  rv('strict, both 0', [0, 0], 'strict', true);
  rv('moderate, 59', [0, 59], 'moderate', true);
  rv('moderate, 60', [0, 60], 'moderate', false);
  rv('lax, 1439', [0, 1439], 'lax', true);
  rv('lax, 1440', [0, 1440], 'lax', false);
  rv('lax, no second factor, 1439', [1439, -1], 'lax', true);
  rv('lax, no second factor, 1440', [1440, -1], 'lax', false);
  rv('strict_mfa, both 9', [9, 9], 'strict_mfa', true);
  rv('strict_mfa, first 10', [10, 9], 'strict_mfa', false);
  rv('strict_mfa, second 10', [9, 10], 'strict_mfa', false);
  rv('strict_mfa, no second factor, 9', [9, -1], 'strict_mfa', true);
  rv('strict_mfa, no second factor, 10', [10, -1], 'strict_mfa', false);
  rv('strict_mfa, no first factor', [-1, 9], 'strict_mfa', false);
  const FIRST5 = { level: 'first_factor', afterMinutes: 5 };
  const SECOND30 = { level: 'second_factor', afterMinutes: 30 };
  const MULTI2 = { level: 'multi_factor', afterMinutes: 2 };
  rv('first_factor within 5, 4', [4, -1], FIRST5, true);
  rv('first_factor within 5, 5', [5, -1], FIRST5, false);
  rv('first_factor within 5, no first factor', [-1, 0], FIRST5, false);
  rv('first_factor within 5, a stale second factor does not matter', [4, 100], FIRST5, true);
  rv('second_factor within 30, 29', [100, 29], SECOND30, true);
  rv('second_factor within 30, 30', [0, 30], SECOND30, false);
  rv('second_factor within 30, no second factor, 29', [29, -1], SECOND30, true);
  rv('multi_factor within 2, both 1', [1, 1], MULTI2, true);
  rv('multi_factor within 2, first 2', [2, 1], MULTI2, false);
  rv('multi_factor within 2, second 2', [1, 2], MULTI2, false);
  rv('lax, never verified', [-1, -1], 'lax', false);
  rv('first_factor within 5, never verified', [-1, -1], FIRST5, false);
  rv('first_factor within 10, a negative first factor', [-2, 5], { level: 'first_factor', afterMinutes: 10 }, false);
  rv('second_factor within 10, a negative second factor', [5, -3], { level: 'second_factor', afterMinutes: 10 }, false);
  rv('first_factor within 10, a negative second factor', [5, -3], { level: 'first_factor', afterMinutes: 10 }, false);
  rv('lax, very old', [99999999, -1], 'lax', false);
  rv('lax, ten trillion minutes', [1e13, -1], 'lax', false);
  add({ name: 'lax, no fva claim', claims: { fva: undefined }, params: { reverification: 'lax' }, want: false });
  add({ name: 'lax, fva null', claims: { fva: null }, params: { reverification: 'lax' }, want: false });
  add({ name: 'strict, fva written [3.0,-1]', token: rawFva('[3.0,-1]'), params: { reverification: 'strict' }, want: true });
  add({ name: 'strict, fva written [-0,-1]', token: rawFva('[-0,-1]'), params: { reverification: 'strict' }, want: true });
  add({ name: 'strict, fva written [9e0,-1]', token: rawFva('[9e0,-1]'), params: { reverification: 'strict' }, want: true });
  add({ name: 'strict, fva written [1e1,-1]', token: rawFva('[1e1,-1]'), params: { reverification: 'strict' }, want: false });
  add({ name: 'unknown preset', claims: {}, params: { reverification: 'extreme' }, want: false, invalid: true });
  add({ name: 'afterMinutes 0', claims: {}, params: { reverification: { level: 'first_factor', afterMinutes: 0 } }, want: false, invalid: true });
  add({ name: 'afterMinutes negative', claims: {}, params: { reverification: { level: 'first_factor', afterMinutes: -5 } }, want: false, invalid: true });
  add({ name: 'unknown level', claims: {}, params: { reverification: { level: 'third_factor', afterMinutes: 10 } }, want: false, invalid: true });
  const refused = { has: false, signedIn: false, reason: 'token-verification-failed' };
  add({
    name: 'lax, fva [1.5,-1]',
    claims: { fva: [1.5, -1] },
    params: { reverification: 'lax' },
    differ: { clerk: { has: true, signedIn: true }, ours: refused, why: WHY.fvaRefused },
  });
  for (const [label, fva] of [
    ['["3",-1]', ['3', -1]],
    ['[3]', [3]],
    ['[3,-1,0]', [3, -1, 0]],
    ['{}', {}],
    ['3', 3],
    ['[1e300,-1]', [1e300, -1]],
  ]) {
    add({
      name: `lax, fva ${label}`,
      claims: { fva },
      params: { reverification: 'lax' },
      differ: { clerk: { has: false, signedIn: true }, ours: refused, why: WHY.fvaRefused },
    });
  }

  // Dimensions combined: all must pass.
  const full = { ...withOrg(), pla: 'o:team', fva: [0, 5] };
  add({ name: 'role and feature', claims: withOrg(), params: { role: 'admin', feature: 'o:impersonation' }, want: true });
  add({ name: 'role and a missing feature', claims: withOrg(), params: { role: 'admin', feature: 'export' }, want: false });
  add({ name: 'another role and a feature', claims: withOrg(), params: { role: 'member', feature: 'impersonation' }, want: false });
  add({ name: 'permission and plan', claims: full, params: { permission: 'memberships:manage', plan: 'team' }, want: true });
  add({ name: 'role and a fresh reverification', claims: full, params: { role: 'admin', reverification: 'strict' }, want: true });
  add({ name: 'role and a stale reverification', claims: { ...full, fva: [0, 30] }, params: { role: 'admin', reverification: 'strict' }, want: false });
  add({ name: 'another role and a stale reverification', claims: { ...full, fva: [0, 30] }, params: { role: 'member', reverification: 'strict' }, want: false });
  add({
    name: 'all five dimensions',
    claims: full,
    params: { role: 'admin', permission: 'memberships:read', feature: 'impersonation', plan: 'team', reverification: 'strict' },
    want: true,
  });
  add({
    name: 'all five dimensions, the plan missing',
    claims: { ...full, pla: 'o:free' },
    params: { role: 'admin', permission: 'memberships:read', feature: 'impersonation', plan: 'team', reverification: 'strict' },
    want: false,
  });
  add({ name: 'a feature and an empty role', claims: withOrg(), params: { role: '', feature: 'impersonation' }, want: false, invalid: true });
  add({ name: 'a permission and an unknown preset', claims: full, params: { permission: 'memberships:read', reverification: 'extreme' }, want: false, invalid: true });

  // Nothing asked, nobody signed in, a machine.
  add({ name: 'no dimension asked', claims: full, params: {}, want: false });
  add({ name: 'no dimension asked, no organization', claims: {}, params: {}, want: false });
  const expired = { ...withOrg(), exp: now - 120, nbf: now - 200 };
  add({ name: 'expired token, role', claims: expired, params: { role: 'admin' }, want: false, signedIn: false, reason: 'token-expired' });
  add({ name: 'expired token, nothing asked', claims: expired, params: {}, want: false, signedIn: false, reason: 'token-expired' });
  add({ name: 'pending session, lax', claims: { ...withOrg(), sts: 'pending' }, params: { reverification: 'lax' }, want: false, signedIn: false, reason: 'session-pending' });
  add({ name: 'M2M JWT on a route that takes machines, lax', token: m2mJwt, accepts: MACHINE_ROUTE, params: { reverification: 'lax' }, want: false, signedIn: false });
  add({ name: 'M2M JWT on a route that takes machines, nothing asked', token: m2mJwt, accepts: MACHINE_ROUTE, params: {}, want: false, signedIn: false });
  return out;
}

// clerkAnswer asks Clerk's pipeline: authenticateRequest with the token
// as a Bearer header, then toAuth().has(params).
async function clerkAnswer(token, params, accepts) {
  const client = createClerkClient({
    // authenticateRequest insists on a secret key even when jwtKey makes
    // it unnecessary; this one is never sent anywhere.
    secretKey: 'sk_test_unusedWithJwtKey000000000000000000',
    publishableKey: PUBLISHABLE_KEY,
    jwtKey: keys.publicPem,
    telemetry: { disabled: true },
  });
  let state;
  let auth;
  try {
    state = await client.authenticateRequest(
      new Request('http://localhost:3000/api/admin', { headers: { Authorization: `Bearer ${token}` } }),
      { issuer: ISSUER, authorizedParties: [AZP], ...(accepts.length > 0 && { acceptsToken: accepts }) },
    );
    auth = state.toAuth();
  } catch (err) {
    return { threw: err.message };
  }
  return { has: auth.has(params), signedIn: auth.tokenType === 'session_token' && auth.userId != null, auth };
}

const dimensions = (params) => Object.keys(params).length;

// expectedHint is the body Clerk's own helpers would answer for a signed-in
// user who meets everything asked but the reverification, or undefined.
function expectedHint(clerk, params) {
  if (!clerk.signedIn || clerk.has || params.reverification === undefined) return undefined;
  const config = validateReverificationConfig(params.reverification);
  if (!config) return undefined;
  const { reverification, ...others } = params;
  if (dimensions(others) > 0 && !clerk.auth.has(others)) return undefined;
  return reverificationError(config());
}

function oursEnv() {
  return { CLERK_JWT_KEY: keys.publicPem, CLERK_PUBLISHABLE_KEY: PUBLISHABLE_KEY, CLERK_AUTHORIZED_PARTIES: AZP };
}

function assertFields(got, want, side) {
  for (const [k, v] of Object.entries(want)) {
    if (v instanceof RegExp) assert.match(got[k] ?? '', v, `${side}: ${k}`);
    else assert.equal(got[k], v, `${side}: ${k}`);
  }
}

test('the table has at least 80 cases, names are unique, every difference says why', () => {
  const table = cases();
  assert.ok(table.length >= 80, `${table.length} cases`);
  assert.equal(new Set(table.map((c) => c.name)).size, table.length, 'unique names');
  for (const c of table) {
    if (c.differ) {
      assert.equal(c.want, undefined, `${c.name}: a difference names each side's answer instead`);
      assert.ok(Boolean(c.differ.why) !== Boolean(c.differ.bug), `${c.name}: why or bug`);
    } else {
      assert.equal(typeof c.want, 'boolean', c.name);
    }
  }
  const wants = table.filter((c) => !c.differ).map((c) => c.want);
  assert.ok(wants.includes(true) && wants.includes(false), 'both answers occur');
});

describe("has(): Clerk's authenticateRequest(...).toAuth().has and our Auth.Has", () => {
  const table = cases();
  let tokens;
  let ours;
  before(async () => {
    tokens = await Promise.all(table.map((c) => (c.token ? c.token() : signed(c.claims))));
    // One gocli process per route configuration.
    ours = new Array(table.length);
    const groups = new Map();
    for (const [i, c] of table.entries()) {
      const key = (c.accepts ?? []).join(',');
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(i);
    }
    for (const [key, indices] of groups) {
      const out = await goHas(
        indices.map((i) => ({ token: tokens[i], params: table[i].params })),
        { accepts: key === '' ? [] : key.split(',') },
        oursEnv(),
      );
      for (const [j, i] of indices.entries()) ours[i] = out[j];
    }
  });

  for (const [i, c] of table.entries()) {
    const label = c.differ ? `${c.name} [${c.differ.bug ? 'differs: bug in ours' : 'differs on purpose'}]` : c.name;
    test(label, async () => {
      const clerk = await clerkAnswer(tokens[i], c.params, c.accepts ?? []);
      const o = ours[i];
      assert.equal(o.invalid !== '', Boolean(c.invalid), `ours: invalid ${JSON.stringify(o.invalid)}`);
      // Authorize agrees with Has: allowed when Has is (or, signed in,
      // when nothing is asked), 401 when signed out, 403 otherwise.
      const allowed = o.has || (o.signedIn && dimensions(c.params) === 0);
      assert.equal(o.status, allowed ? 0 : o.signedIn ? 403 : 401, 'ours: Authorize status');
      if (o.invalid !== '') assert.equal(o.has, false, 'ours: an invalid requirement is never met');

      if (c.differ) {
        assertFields(clerk, c.differ.clerk, 'Clerk');
        assertFields(o, c.differ.ours, 'ours');
        const same = clerk.threw === undefined && clerk.has === o.has && clerk.signedIn === o.signedIn;
        assert.ok(!same, 'the pinned difference is real');
        return;
      }
      assert.equal(clerk.threw, undefined, "Clerk's authenticateRequest threw");
      const signedIn = c.signedIn ?? true;
      assert.equal(clerk.signedIn, signedIn, 'Clerk: signed in');
      assert.equal(o.signedIn, signedIn, `ours: signed in (${o.reason})`);
      if (c.reason !== undefined) assert.equal(o.reason, c.reason, 'ours: reason');
      assert.equal(clerk.has, c.want, 'Clerk: has');
      assert.equal(o.has, c.want, 'ours: has');
      assert.deepEqual(o.hint, expectedHint(clerk, c.params), "ours: Authorize's reverification hint");
    });
  }
});

describe("Authorize's reverification hint is the body Clerk's front end reads", () => {
  const configs = [
    'strict_mfa',
    'strict',
    'moderate',
    'lax',
    { level: 'first_factor', afterMinutes: 7 },
    { level: 'second_factor', afterMinutes: 45 },
    { level: 'multi_factor', afterMinutes: 3 },
  ];
  let token;
  let ours;
  before(async () => {
    token = await signed({ ...withOrg(), fva: [2000, 2000] });
    ours = await goHas(
      configs.map((reverification) => ({ token, params: { reverification } })),
      {},
      oursEnv(),
    );
  });

  for (const [i, config] of configs.entries()) {
    test(`stale for ${JSON.stringify(config)}`, async () => {
      const clerk = await clerkAnswer(token, { reverification: config }, []);
      assert.equal(clerk.has, false, 'Clerk: has');
      const o = ours[i];
      assert.equal(o.has, false, 'ours: has');
      assert.equal(o.status, 403);
      assert.ok(o.hint, 'ours: a hint');
      assert.ok(isReverificationHint(o.hint), 'isReverificationHint');
      const wanted = validateReverificationConfig(config)();
      assert.deepEqual(o.hint, reverificationError(wanted), 'reverificationError({level, afterMinutes})');
      // What useReverification does with it: the level to ask for.
      const read = validateReverificationConfig(o.hint.clerk_error.metadata.reverification);
      assert.ok(read, 'the metadata reads as a reverification config');
      assert.deepEqual(read(), wanted);
    });
  }
});
