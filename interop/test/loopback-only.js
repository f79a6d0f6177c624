// Preloaded (node --import) before any test module: the tests talk only to
// servers they started on the loopback interface. A request anywhere else,
// such as SDK telemetry, fails the request instead of leaving the machine.

const realFetch = globalThis.fetch;

function isLoopback(hostname) {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

globalThis.fetch = function loopbackOnlyFetch(input, init) {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (!isLoopback(url.hostname)) {
    return Promise.reject(new Error(`interop tests refuse non-loopback request to ${url.host}`));
  }
  return realFetch(input, init);
};
