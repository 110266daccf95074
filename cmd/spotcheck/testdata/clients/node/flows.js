// Every flow of spotify-web-api-node 5, unmodified, against whatever
// accounts.spotify.com and api.spotify.com resolve to: run by spotcheck's
// tests under `spotcheck fake --isolate` and behind TLS + a hosts mapping.
// The library hard-codes https, port 443 and both host names.
'use strict';
const http = require('http');
const https = require('https');
const SpotifyWebApi = require('spotify-web-api-node');

const env = (k) => {
  if (!process.env[k]) throw new Error(k + ' is not set');
  return process.env[k];
};

// get fetches a URL without following redirects (the consent step).
function get(url) {
  return new Promise((resolve, reject) => {
    https.get(url, (res) => { res.resume(); resolve(res); }).on('error', reject);
  });
}

// advanceClock moves the fake's clock for this app through its control API,
// so that the refresh below comes near expiry, as a well-behaved app's does.
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

async function main() {
  const clientId = env('SPOTIFY_CLIENT_ID');
  const api = new SpotifyWebApi({
    clientId, clientSecret: env('SPOTIFY_CLIENT_SECRET'), redirectUri: env('SPOTIFY_REDIRECT_URI'),
  });

  const cc = await api.clientCredentialsGrant();
  api.setAccessToken(cc.body.access_token);
  const track = await api.getTrack('0VjIjW4GlUZAMYd2vXMi3b');
  console.log('client credentials: track', track.body.name);

  const state = 'st-' + Math.random().toString(36).slice(2);
  const consent = await get(api.createAuthorizeURL(['user-read-private', 'user-read-email'], state));
  const callback = new URL(consent.headers.location);
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch: ' + callback);
  const grant = await api.authorizationCodeGrant(callback.searchParams.get('code'));
  api.setAccessToken(grant.body.access_token);
  api.setRefreshToken(grant.body.refresh_token);
  const me = await api.getMe();
  console.log('authorization code: me', me.body.id);

  await advanceClock(clientId, '55m');
  const refreshed = await api.refreshAccessToken();
  api.setAccessToken(refreshed.body.access_token);
  const again = await api.getMe();
  console.log('refresh: me', again.body.id);
}

main().catch((err) => {
  console.error('flows failed:', err.statusCode || '', err.body ? JSON.stringify(err.body) : '', err.message || err);
  process.exit(1);
});
