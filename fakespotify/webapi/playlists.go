package webapi

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// maxPlaylistURIs is how many URIs one request may add, replace or
// remove (Spotify's reference: 100).
const maxPlaylistURIs = 100

// visible reports whether the caller may see p: a public playlist, or
// any playlist of the token's own user (private ones with
// playlist-read-private, collaborative ones with
// playlist-read-collaborative, as /v1/me/playlists lists them).
func (c *call) visible(p playlist) bool {
	switch {
	case p.Public && !p.Collaborative:
		return true
	case p.Owner != c.user.ID:
		return false
	case p.Collaborative:
		return c.has(scopeReadCollab)
	}
	return c.has(scopeReadPrivate)
}

// findPlaylist resolves {playlist_id}: 404 for an unknown id, and for one
// the caller may not see. [inferred] Spotify's message for an unknown
// playlist was not captured; "Not found." is its message for unknown
// resources elsewhere (spotcast's 404 "Not found." in §5.9).
func (a *API) findPlaylist(c *call) (playlist, config.User, bool) {
	id := c.params["playlist_id"]
	p, ok := a.library.playlist(a.b.Users(), c.now, id)
	if !ok || !c.visible(p) {
		c.fail(http.StatusNotFound, msgNotFound)
		return playlist{}, config.User{}, false
	}
	owner, _ := a.b.User(p.Owner)
	return p, owner, true
}

const msgNotFound = "Not found."

// getPlaylist is GET /v1/playlists/{playlist_id}: the full playlist with
// its first page of items.
func (a *API) getPlaylist(c *call) {
	p, owner, ok := a.findPlaylist(c)
	if !ok {
		return
	}
	c.json(http.StatusOK, c.playlist(a.index(), p, owner, true))
}

// playlistItems is GET /v1/playlists/{playlist_id}/items and the older
// /tracks: limit 1..100 (default 100), offset. Items under /items carry
// item and the deprecated track; under /tracks, track only.
func (a *API) playlistItems(c *call) {
	p, _, ok := a.findPlaylist(c)
	if !ok {
		return
	}
	limit, offset, ok := c.limitOffset(playlistPage, playlistPage, maxOffset)
	if !ok {
		return
	}
	renamed := strings.HasSuffix(c.ep.Pattern, "/items")
	items := c.playlistItems(a.index(), p, renamed)
	path := "/v1/playlists/" + p.ID + "/tracks"
	if renamed {
		path = "/v1/playlists/" + p.ID + "/items"
	}
	c.json(http.StatusOK, pageOf(c, path, "", items, limit, offset))
}

// editablePlaylist resolves the playlist a POST, PUT or DELETE changes:
// the token's user must own it, or it must be collaborative (§5.3: the
// scope its visibility needs, playlist-modify-public or -private).
// [inferred] messages: "You cannot add tracks to a playlist you don't
// own." is the wording clients quote for another user's playlist.
func (a *API) editablePlaylist(c *call) (playlist, config.User, bool) {
	id := c.params["playlist_id"]
	p, ok := a.library.playlist(a.b.Users(), c.now, id)
	if !ok {
		c.fail(http.StatusNotFound, msgNotFound)
		return playlist{}, config.User{}, false
	}
	scope := scopeModifyPriv
	if p.Public {
		scope = scopeModifyPublic
	}
	if !c.has(scope) {
		c.fail(http.StatusForbidden, wire.MsgNoScope)
		return playlist{}, config.User{}, false
	}
	if p.Owner != c.user.ID && !p.Collaborative {
		c.fail(http.StatusForbidden, "You cannot add tracks to a playlist you don't own.")
		return playlist{}, config.User{}, false
	}
	owner, _ := a.b.User(p.Owner)
	return p, owner, true
}

// playlistURIs reads the track URIs of a request: the uris query
// parameter (comma-separated) or the JSON body's uris. [inferred]
// messages: "Missing required field: uris", "Too many ids requested"
// (the batch endpoints' words) and "Invalid track uri: <uri>".
func (a *API) playlistURIs(c *call, body *playlistBody, required bool) ([]string, bool) {
	var uris []string
	if q := c.query.Get("uris"); q != "" {
		uris = strings.Split(q, ",")
	} else {
		uris = body.URIs
	}
	if len(uris) == 0 && required {
		c.fail(http.StatusBadRequest, "Missing required field: uris")
		return nil, false
	}
	return a.trackURIs(c, uris)
}

// trackURIs turns spotify:track:<id> URIs into catalog ids.
func (a *API) trackURIs(c *call, uris []string) ([]string, bool) {
	if len(uris) > maxPlaylistURIs {
		c.fail(http.StatusBadRequest, msgTooManyIDs)
		return nil, false
	}
	idx := a.index()
	ids := make([]string, 0, len(uris))
	for _, u := range uris {
		u = strings.TrimSpace(u)
		id, ok := strings.CutPrefix(u, "spotify:track:")
		if !ok || idx.tracks[id] == nil {
			c.fail(http.StatusBadRequest, "Invalid track uri: "+u)
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// itemRequest reads the body of a POST, PUT or DELETE of items, then the
// playlist it changes.
func (a *API) itemRequest(c *call) (playlistBody, playlist, config.User, bool) {
	var body playlistBody
	if !c.readJSON(&body) {
		return body, playlist{}, config.User{}, false
	}
	p, owner, ok := a.editablePlaylist(c)
	return body, p, owner, ok
}

// entries are ids added by the token's user now.
func (c *call) entries(ids []string) []playlistEntry {
	out := make([]playlistEntry, len(ids))
	for i, id := range ids {
		out[i] = playlistEntry{ID: id, Added: c.now.Truncate(time.Second), AddedBy: c.user.ID}
	}
	return out
}

type uriRef struct {
	URI string `json:"uri"`
}

// playlistBody is every field the item endpoints read from a body.
type playlistBody struct {
	URIs         []string `json:"uris"`
	Position     *int     `json:"position"`
	RangeStart   *int     `json:"range_start"`
	InsertBefore *int     `json:"insert_before"`
	RangeLength  *int     `json:"range_length"`
	Items        []uriRef `json:"items"`
	Tracks       []uriRef `json:"tracks"` // the pre-2026 name of items
}

type snapshotAnswer struct {
	SnapshotID string `json:"snapshot_id"`
}

// addPlaylistItems is POST /v1/playlists/{playlist_id}/items (and
// /tracks): uris, and position (default: the end). 201 with the new
// snapshot id.
func (a *API) addPlaylistItems(c *call) {
	body, p, owner, ok := a.itemRequest(c)
	if !ok {
		return
	}
	ids, ok := a.playlistURIs(c, &body, true)
	if !ok {
		return
	}
	pos, ok := c.intParam("position", len(p.Items), 0, len(p.Items))
	if !ok {
		return
	}
	if body.Position != nil && c.query.Get("position") == "" {
		if *body.Position < 0 || *body.Position > len(p.Items) {
			c.fail(http.StatusBadRequest, "Invalid position")
			return
		}
		pos = *body.Position
	}
	snap, f := a.library.editPlaylist(owner, c.now, p.ID, func(pl *playlist) *failure {
		pos = min(pos, len(pl.Items))
		pl.Items = slices.Insert(pl.Items, pos, c.entries(ids)...)
		return nil
	})
	a.answerSnapshot(c, http.StatusCreated, snap, f)
}

// updatePlaylistItems is PUT /v1/playlists/{playlist_id}/items (and
// /tracks): with uris it replaces every item; with range_start and
// insert_before it moves range_length items (default 1). 200 with the
// new snapshot id.
func (a *API) updatePlaylistItems(c *call) {
	body, p, owner, ok := a.itemRequest(c)
	if !ok {
		return
	}
	if body.RangeStart != nil || body.InsertBefore != nil {
		a.reorder(c, p, owner, body)
		return
	}
	ids, ok := a.playlistURIs(c, &body, false)
	if !ok {
		return
	}
	snap, f := a.library.editPlaylist(owner, c.now, p.ID, func(pl *playlist) *failure {
		pl.Items = c.entries(ids)
		return nil
	})
	a.answerSnapshot(c, http.StatusOK, snap, f)
}

// reorder moves items as Spotify's reference describes range_start,
// insert_before and range_length. [inferred] An index out of range is 400
// "Invalid range".
func (a *API) reorder(c *call, p playlist, owner config.User, body playlistBody) {
	if body.RangeStart == nil || body.InsertBefore == nil {
		c.fail(http.StatusBadRequest, "Missing required field: range_start or insert_before")
		return
	}
	length := 1
	if body.RangeLength != nil {
		length = *body.RangeLength
	}
	snap, f := a.library.editPlaylist(owner, c.now, p.ID, func(pl *playlist) *failure {
		start, before, n := *body.RangeStart, *body.InsertBefore, len(pl.Items)
		if start < 0 || length < 1 || start+length > n || before < 0 || before > n {
			return &failure{Status: http.StatusBadRequest, Message: "Invalid range"}
		}
		moved := slices.Clone(pl.Items[start : start+length])
		rest := slices.Delete(slices.Clone(pl.Items), start, start+length)
		if before > start {
			before -= min(length, before-start)
		}
		pl.Items = slices.Insert(rest, before, moved...)
		return nil
	})
	a.answerSnapshot(c, http.StatusOK, snap, f)
}

// removePlaylistItems is DELETE /v1/playlists/{playlist_id}/items (and
// /tracks): {"items":[{"uri":…}]}, or {"tracks":[…]} as before the
// rename; every occurrence of each URI goes. 200 with the new snapshot id.
func (a *API) removePlaylistItems(c *call) {
	body, p, owner, ok := a.itemRequest(c)
	if !ok {
		return
	}
	refs := body.Items
	if len(refs) == 0 {
		refs = body.Tracks
	}
	if len(refs) == 0 {
		c.fail(http.StatusBadRequest, "Missing required field: items")
		return
	}
	uris := make([]string, len(refs))
	for i, r := range refs {
		uris[i] = r.URI
	}
	ids, ok := a.trackURIs(c, uris)
	if !ok {
		return
	}
	snap, f := a.library.editPlaylist(owner, c.now, p.ID, func(pl *playlist) *failure {
		pl.Items = slices.DeleteFunc(slices.Clone(pl.Items), func(e playlistEntry) bool { return slices.Contains(ids, e.ID) })
		return nil
	})
	a.answerSnapshot(c, http.StatusOK, snap, f)
}

func (a *API) answerSnapshot(c *call, status int, snap string, f *failure) {
	if f != nil {
		f.write(c.w)
		return
	}
	c.json(status, snapshotAnswer{SnapshotID: snap})
}

// userPlaylists is GET /v1/users/{user_id}/playlists: the user's public
// playlists, or, for the token's own user, what /v1/me/playlists lists.
// [inferred] An unknown user is 404 "No such user", the message of
// GET /v1/users/{user_id}.
func (a *API) userPlaylists(c *call) {
	id := c.params["user_id"]
	u, ok := a.b.User(id)
	if !ok {
		c.fail(http.StatusNotFound, msgNoSuchUser)
		return
	}
	limit, offset, ok := c.limitOffset(20, 50, maxOffset)
	if !ok {
		return
	}
	_, lists := a.library.snapshot(u, c.now)
	idx := a.index()
	var shown []playlistObject
	for _, p := range lists {
		if c.visible(p) {
			shown = append(shown, c.playlist(idx, p, u, false))
		}
	}
	c.json(http.StatusOK, pageOf(c, "/v1/users/"+id+"/playlists", "", shown, limit, offset))
}

// msgNoSuchUser answers an unknown user id. [inferred]
const msgNoSuchUser = "No such user"

// userProfile is GET /v1/users/{user_id}: the public profile.
func (a *API) userProfile(c *call) {
	u, ok := a.b.User(c.params["user_id"])
	if !ok {
		c.fail(http.StatusNotFound, msgNoSuchUser)
		return
	}
	c.json(http.StatusOK, c.userProfile(u))
}
