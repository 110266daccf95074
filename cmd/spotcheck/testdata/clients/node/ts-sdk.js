// @spotify/web-api-ts-sdk 1.2, unmodified, against whatever
// accounts.spotify.com and api.spotify.com resolve to: run by spotcheck's
// tests under `spotcheck fake --isolate`. The SDK calls fetch with
// hard-coded https URLs; Node's fetch ignores HTTPS_PROXY but trusts
// NODE_EXTRA_CA_CERTS.
'use strict';
const crypto = require('crypto');
const { SpotifyApi } = require('@spotify/web-api-ts-sdk');
const { env, consent, advanceClock, run } = require('./fake');

async function main() {
  const clientId = env('SPOTIFY_CLIENT_ID');
  const redirectUri = env('SPOTIFY_REDIRECT_URI');

  const app = SpotifyApi.withClientCredentials(clientId, env('SPOTIFY_CLIENT_SECRET'));
  const track = await app.tracks.get('0VjIjW4GlUZAMYd2vXMi3b');
  console.log('client credentials: track', track.name);

  // What the SDK's PKCE strategy does in the browser, done here: the
  // consent redirect and the exchange, then the SDK with the token.
  const verifier = crypto.randomBytes(48).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const state = crypto.randomBytes(8).toString('hex');
  const q = new URLSearchParams({
    client_id: clientId, response_type: 'code', redirect_uri: redirectUri, state,
    scope: 'user-read-private user-read-email', code_challenge_method: 'S256', code_challenge: challenge,
  });
  const callback = await consent('https://accounts.spotify.com/authorize?' + q);
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch: ' + callback);
  const res = await fetch('https://accounts.spotify.com/api/token', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: clientId, grant_type: 'authorization_code', code: callback.searchParams.get('code'),
      redirect_uri: redirectUri, code_verifier: verifier,
    }),
  });
  if (!res.ok) throw new Error('exchange: ' + res.status + ' ' + await res.text());
  const token = await res.json();
  const user = SpotifyApi.withAccessToken(clientId, token);
  console.log('authorization code with PKCE: me', (await user.currentUser.profile()).id);

  // Near expiry on the fake's clock, and expired on the SDK's: its own
  // refresh (a PKCE refresh with client_id) runs before the next call.
  await advanceClock(clientId, '55m');
  const expiring = SpotifyApi.withAccessToken(clientId, { ...token, expires: Date.now() - 1 });
  console.log('refresh: me', (await expiring.currentUser.profile()).id);
}

run(main);
