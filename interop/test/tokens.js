// Token material for part 3: an instance key pair made here, session
// claims, and signing through @clerk/backend's own signJwt, or through
// node:crypto where signJwt cannot make the token (a chosen iat, raw JSON).

import { generateKeyPairSync, randomBytes } from 'node:crypto';

import { signJwt } from '@clerk/backend/jwt';

import { CAT_SESSION } from './helpers.js';

export const ISSUER = 'https://clerk.interop.example';
export const PUBLISHABLE_KEY = 'pk_test_' + Buffer.from('clerk.interop.example$').toString('base64');
export const AZP = 'https://app.interop.example';
export const KID = 'ins_2interopTestInstance0000000';
export const USER = 'user_2interopUser000000000000000';
export const SESSION = 'sess_2interopSession00000000000';

// makeKeys generates the instance's RSA key pair and a stranger's private
// key, as PEM (PKCS#8 private, SPKI public: what CLERK_JWT_KEY holds).
export function makeKeys() {
  const encoding = {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  };
  const instance = generateKeyPairSync('rsa', { modulusLength: 2048, ...encoding });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048, ...encoding });
  return { publicPem: instance.publicKey, privatePem: instance.privateKey, strangerPem: stranger.privateKey };
}

export const sessionHeader = () => ({ typ: 'JWT', kid: KID, cat: CAT_SESSION });

// sessionClaims is a version-2 session token's payload issued at now
// (seconds), without iat, which signJwt sets itself.
export function sessionClaims(now) {
  return {
    azp: AZP,
    exp: now + 60,
    fva: [3, -1],
    iss: ISSUER,
    jti: randomBytes(10).toString('hex'),
    nbf: now - 10,
    sid: SESSION,
    sts: 'active',
    sub: USER,
    v: 2,
  };
}

// clerkSign signs with @clerk/backend's signJwt. Claims set to undefined
// are left out (JSON.stringify drops them).
export async function clerkSign(payload, privatePem, { header = sessionHeader(), algorithm = 'RS256' } = {}) {
  return signJwt({ ...payload }, privatePem, { algorithm, header: { ...header } });
}

export const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
