// The comparison of two requests to Clerk's Backend API, one from Clerk's
// JavaScript client and one from ours, as a recording server received
// them: what the Backend API acts on must be identical, and every other
// difference is listed with its reason, so a new one fails the test.

import assert from 'node:assert/strict';

// headersOf returns a request's headers as sent, names lowercased, and
// fails on a header sent twice.
export function headersOf(req) {
  const headers = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    assert.equal(headers[name], undefined, `header ${name} sent twice`);
    headers[name] = req.rawHeaders[i + 1];
  }
  return headers;
}

// What Clerk's Backend API acts on: must be identical.
const SAME = ['authorization', 'content-type', 'clerk-api-version', 'content-length', 'host'];

// Headers whose values differ, and why that is right.
const DIFFERENT = {
  // Each SDK names itself as <package>@<version>, Clerk's convention, so
  // Clerk (and proxy logs) can tell the callers apart.
  'user-agent': (clerk, ours) => {
    assert.match(clerk, /^@clerk\/backend@3\.\d+\.\d+$/);
    assert.match(ours, /^github\.com\/clerkkit\/clerkkit\/core@v\d+\.\d+\.\d+$/);
  },
  // Each HTTP stack offers the encodings it decodes by itself (Node's
  // fetch: gzip and deflate; Go's net/http: gzip). Token answers are about
  // 1 KiB and arrive uncompressed in practice.
  'accept-encoding': (clerk, ours) => {
    assert.equal(clerk, 'gzip, deflate');
    assert.equal(ours, 'gzip');
  },
};

// Headers only Node's fetch sends, with the values the Fetch standard
// gives them. None means anything to a JSON API called server to server,
// and Go's HTTP/1.1 client keeps connections alive without saying so.
const ONLY_CLERK = {
  connection: 'keep-alive',
  accept: '*/*',
  'accept-language': '*',
  'sec-fetch-mode': 'cors',
};

// assertSameRequest compares two recorded requests; samePath false leaves
// the request target to the caller.
export function assertSameRequest(clerkReq, ourReq, { samePath = true } = {}) {
  assert.equal(ourReq.method, clerkReq.method);
  if (samePath) assert.equal(ourReq.url, clerkReq.url);
  assert.equal(ourReq.body, clerkReq.body, 'body bytes');
  for (const name of SAME) assert.equal(ourReq.headers[name], clerkReq.headers[name], name);
  for (const [name, check] of Object.entries(DIFFERENT)) check(clerkReq.headers[name], ourReq.headers[name]);
  for (const [name, value] of Object.entries(ONLY_CLERK)) {
    assert.equal(clerkReq.headers[name], value, name);
    assert.equal(ourReq.headers[name], undefined, name);
  }
  // Nothing beyond the listed headers on either side.
  const listed = new Set([...SAME, ...Object.keys(DIFFERENT), ...Object.keys(ONLY_CLERK)]);
  assert.deepEqual(Object.keys(clerkReq.headers).filter((h) => !listed.has(h)), [], "unlisted headers from Clerk's client");
  assert.deepEqual(Object.keys(ourReq.headers).filter((h) => !listed.has(h)), [], 'unlisted headers from ours');
}
