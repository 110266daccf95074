// Package webapi is the fake Spotify's Web API subset: the /v1/ paths of
// api.spotify.com that OAuth clients call first (/v1/me and the user's
// library, playlists and player, search, the catalog), answering with
// Spotify's status codes, headers and bodies to the letter, including the
// token, scope, rate-limit, restriction and development-mode refusals that
// spotcheck diagnoses.
//
// Endpoints is the table of paths and the scopes each requires. An API
// reads tokens, apps, users, the catalog, the clock and the policies from
// a Backend (the fake's store) and keeps the per-user state the API
// changes (the library, playlists, the player) and the per-app rate-limit
// windows itself. ServeHTTP documents the order of the checks.
package webapi
