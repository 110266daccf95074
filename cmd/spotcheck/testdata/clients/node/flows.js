// Every flow of spotify-web-api-node 5, unmodified, against whatever
// accounts.spotify.com and api.spotify.com resolve to: run by spotcheck's
// tests under `spotcheck fake --isolate` and behind TLS + a hosts mapping.
// The library hard-codes https, port 443 and both host names.
'use strict';
const SpotifyWebApi = require('spotify-web-api-node');
const { env, consent, advanceClock, run } = require('./fake');

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
  const callback = await consent(api.createAuthorizeURL(['user-read-private', 'user-read-email'], state));
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

run(main);
