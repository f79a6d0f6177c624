// Shared plumbing for the interoperability tests: build the Go commands,
// start the emulator and drive it, run gocli, decode JWTs. Every process
// started here is tracked and killed when the test file's process exits,
// whatever happened before.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// The tests must only reach servers they start; loopback-only.js, preloaded
// by the npm test script, enforces it. Refuse to run without it.
if (globalThis.fetch.name !== 'loopbackOnlyFetch') {
  throw new Error('run the interop tests with node --import ./test/loopback-only.js (npm test does)');
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const EMULATOR_PKG = 'github.com/clerkkit/clerkkit/core/clerktest/cmd/clerk-emulator';
const GOCLI_PKG = 'github.com/clerkkit/clerkkit/interop/gocli';

// Bounds: a cold `go build` of a command takes a few seconds on a small
// machine; nothing else here should take more than a handful.
const BUILD_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 20_000;
const COMMAND_TIMEOUT_MS = 10_000;
const GOCLI_TIMEOUT_MS = 30_000;

const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

let binDir;
function binaries() {
  if (!binDir) {
    binDir = mkdtempSync(path.join(tmpdir(), 'clerkkit-interop-'));
    process.on('exit', () => rmSync(binDir, { recursive: true, force: true }));
  }
  return binDir;
}

function run(file, args, options) {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, options, (err, stdout, stderr) => {
      live.delete(child);
      if (err) {
        err.message += `\nstderr: ${stderr}`;
        reject(err);
      } else {
        resolve({ stdout, stderr });
      }
    });
    live.add(child);
  });
}

const built = new Map();

// buildGo compiles a command of the workspace once per test file, the way
// a user would (go build, with the repository's go.work).
export function buildGo(pkg) {
  if (!built.has(pkg)) {
    const out = path.join(binaries(), path.basename(pkg));
    built.set(
      pkg,
      run('go', ['build', '-o', out, pkg], { cwd: repoRoot, timeout: BUILD_TIMEOUT_MS }).then(() => out),
    );
  }
  return built.get(pkg);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// startEmulator runs clerk-emulator with -json -control and returns the
// facts of its first line, a control(command) function answering with the
// reply's JSON, and stop(). The process also exits by itself when our
// stdin pipe closes, that is when this process dies.
export async function startEmulator(extraArgs = []) {
  const bin = await buildGo(EMULATOR_PKG);
  const child = spawn(bin, ['-json', '-quiet', '-control', '-addr', '127.0.0.1:0', ...extraArgs], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => live.delete(child));

  // Lines arrive in order: the startup facts, then one reply per command.
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  const buffered = [];
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else buffered.push(line);
  });
  const nextLine = () =>
    new Promise((resolve) => {
      if (buffered.length > 0) resolve(buffered.shift());
      else waiting.push(resolve);
    });
  const failed = exited.then(({ code, signal }) => {
    throw new Error(`clerk-emulator exited (code ${code}, signal ${signal}); stderr: ${stderr}`);
  });
  failed.catch(() => {});

  let facts;
  try {
    facts = JSON.parse(await withTimeout(Promise.race([nextLine(), failed]), START_TIMEOUT_MS, 'clerk-emulator start'));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  // Commands are serialized so each reply is matched to its command.
  let queue = Promise.resolve();
  const control = (command) => {
    const result = queue.then(async () => {
      child.stdin.write(command + '\n');
      const reply = JSON.parse(
        await withTimeout(Promise.race([nextLine(), failed]), COMMAND_TIMEOUT_MS, `control "${command}"`),
      );
      if (!reply.ok) throw new Error(`control "${command}": ${reply.error}`);
      return reply;
    });
    queue = result.catch(() => {});
    return result;
  };

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end(); // the emulator's own way out
    try {
      await withTimeout(exited, 5_000, 'clerk-emulator stop');
    } catch {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return { facts, control, stop };
}

// goGetToken runs our core's GetToken through gocli and returns its JSON
// result: {ok, jwt} or {ok:false, error:{kind, status, errors, trace_id,
// retry_after_seconds, matches, message}}.
export async function goGetToken({ apiUrl, secretKey, sessionId, template, expiresInSeconds, retries = false }) {
  const bin = await buildGo(GOCLI_PKG);
  const args = ['gettoken', '-session', sessionId];
  if (template !== undefined) args.push('-template', template);
  if (expiresInSeconds !== undefined) args.push('-expires-in', String(expiresInSeconds));
  if (retries) args.push('-retries');
  const env = { PATH: process.env.PATH, CLERK_SECRET_KEY: secretKey, CLERK_API_URL: apiUrl };
  const { stdout } = await run(bin, args, { env, timeout: GOCLI_TIMEOUT_MS });
  return JSON.parse(stdout);
}

// goM2MCreate runs our core's M2MClient.CreateM2MToken through gocli, with
// one attempt as Clerk's SDKs make, and returns its JSON result: {ok, id,
// token, subject, scopes, claims, expiration, created_at, revoked,
// expired} (times in ms) or {ok:false, error}. Parameters left undefined
// are not given.
export async function goM2MCreate({ apiUrl, machineSecretKey, format, lifetime, claims, minRemaining }) {
  const bin = await buildGo(GOCLI_PKG);
  const args = ['m2m-create'];
  if (format !== undefined) args.push('-format', format);
  if (lifetime !== undefined) args.push('-lifetime', String(lifetime));
  if (claims !== undefined) args.push('-claims', JSON.stringify(claims));
  if (minRemaining !== undefined) args.push('-min-remaining', String(minRemaining));
  const env = { PATH: process.env.PATH, CLERK_MACHINE_SECRET_KEY: machineSecretKey, CLERK_API_URL: apiUrl };
  const { stdout } = await run(bin, args, { env, timeout: GOCLI_TIMEOUT_MS });
  return JSON.parse(stdout);
}

// goVerify runs our core's Authenticator over tokens (one gocli process
// for the whole list) and returns one verdict per token: {ok, user_id,
// session_id, org_…, claims} or {ok:false, reason, message}. env holds the
// CLERK_* variables a service would set.
export async function goVerify(tokens, env) {
  for (const t of tokens) assert.ok(!/[\r\n]/.test(t), 'one token per line: no line breaks inside');
  return goLines(['verify'], tokens, env);
}

// goAuthenticate runs our core's Authenticate over requests (one gocli
// process for the list), accepting the token types in accepts (an array;
// empty: the default) and requiring audience (OAuth) when given. A request
// is {token} (a Bearer header), {authorization} (the exact header value),
// {cookie} (the Cookie header) or {} (neither). Each result is
// {authenticated, tokenType, reason, subject, id, scopes, name, sessionId,
// message}.
export async function goAuthenticate(requests, { accepts = [], audience } = {}, env) {
  const lines = requests.map((r) => {
    let line = '';
    if (r.token !== undefined) line = r.token;
    else if (r.authorization !== undefined) line = `authorization:${r.authorization}`;
    else if (r.cookie !== undefined) line = `cookie:${r.cookie}`;
    assert.ok(!/[\r\n]/.test(line), 'one request per line: no line breaks inside');
    assert.ok(r.token === undefined || !/[ ]|^(cookie|authorization):/.test(r.token), 'a token line is read as a token');
    return line;
  });
  const args = ['authenticate'];
  if (accepts.length > 0) args.push('-accepts', accepts.join(','));
  if (audience !== undefined) args.push('-audience', audience);
  return goLines(args, lines, env);
}

// goHas runs our core's Auth.Has and Authorize over checks (one gocli
// process for the list): each check is {token, params}, params in the
// shape of has() in Clerk's SDKs; accepts lists the token types the route
// takes (empty: session tokens). Each result is {has, signedIn, reason,
// invalid, status, hint}.
export async function goHas(checks, { accepts = [] } = {}, env) {
  const lines = checks.map((c) => JSON.stringify({ token: c.token, params: c.params }));
  const args = ['has'];
  if (accepts.length > 0) args.push('-accepts', accepts.join(','));
  return goLines(args, lines, env);
}

// goLines runs gocli with args, one input line each, and returns the JSON
// object it prints for each line.
async function goLines(args, lines, env) {
  const bin = await buildGo(GOCLI_PKG);
  const child = spawn(bin, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  child.stdin.end(lines.map((t) => t + '\n').join(''));
  let result;
  try {
    result = await withTimeout(exited, GOCLI_TIMEOUT_MS, `gocli ${args[0]}`);
  } finally {
    child.kill('SIGKILL');
    live.delete(child);
  }
  if (result.code !== 0) throw new Error(`gocli ${args[0]} exited ${result.code} (${result.signal}): ${stderr}`);
  const out = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(out.length, lines.length, 'one answer per input line');
  return out;
}

export { GOCLI_PKG, EMULATOR_PKG };

function b64urlJSON(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

// decodeJwt splits a compact JWT without verifying it.
export function decodeJwt(jwt) {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error(`not a compact JWT: ${parts.length} parts`);
  return { header: b64urlJSON(parts[0]), payload: b64urlJSON(parts[1]) };
}

// Category header values Clerk puts in cat.
export const CAT_SESSION = 'cl_B7d4PD111AAA';
export const CAT_TEMPLATE = 'cl_B7d4PD222AAA';

// The emulator's trace ids: 32 lowercase hex characters.
export const TRACE_ID = /^[0-9a-f]{32}$/;

// signCompact signs header.payload with an RSA private KeyObject using
// node:crypto, for tokens Clerk's signJwt cannot make (a chosen iat, a
// header that lies about alg). hash is 'sha256', 'sha384' or 'sha512'.
export function signCompact(header, payload, privateKey, hash = 'sha256') {
  const enc = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  const input = `${enc(header)}.${enc(payload)}`;
  const signature = cryptoSign(hash, Buffer.from(input), privateKey).toString('base64url');
  return `${input}.${signature}`;
}
