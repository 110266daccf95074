// Test scaffolding shared by the client scripts, none of it the libraries'
// business: the browser's consent step (an https GET whose redirect is
// read, not followed) and the fake's control API (moving its clock).
'use strict';
const http = require('http');
const https = require('https');

const env = (k) => {
  if (!process.env[k]) throw new Error(k + ' is not set');
  return process.env[k];
};

// consent fetches an authorize URL without following the redirect (the
// fake approves at once with --consent auto) and returns the callback URL.
function consent(url) {
  return new Promise((resolve, reject) => {
    https.get(url, (res) => { res.resume(); resolve(new URL(res.headers.location)); }).on('error', reject);
  });
}

// advanceClock moves the fake's clock for one app, so that a refresh comes
// near expiry, as a well-behaved app's does.
function advanceClock(clientId, advance) {
  const base = new URL(env('SPOTIFY_ACCOUNTS_URL'));
  const body = JSON.stringify({ advance, client_id: clientId });
  const mod = base.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(new URL('/_spotcheck/clock', base), {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => { res.resume(); res.statusCode === 200 ? resolve() : reject(new Error('clock: ' + res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

// run runs main and turns a failure into one line and exit 1.
function run(main) {
  main().catch((err) => {
    console.error('flows failed:', err.statusCode || '', err.body ? JSON.stringify(err.body) : '', err.message || err);
    process.exit(1);
  });
}

module.exports = { env, consent, advanceClock, run };
