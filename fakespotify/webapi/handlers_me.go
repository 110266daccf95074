package webapi

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// maxOffset caps offsets where Spotify documents 100,000 (/v1/me/playlists)
// and, [inferred], elsewhere in the user's library.
const maxOffset = 100000

// me is GET /v1/me (wire reference §5.6). Fields the token's scopes do not
// cover are omitted, never refused; development-mode apps lose country,
// email, product and followers whatever the scopes (Feb 2026).
func (a *API) me(c *call) {
	u := c.user
	o := privateUser{DisplayName: nullable(u.DisplayName), ExternalURLs: openURL("user", u.ID),
		Href: c.base + "/v1/users/" + u.ID, ID: u.ID, Images: noImages, Type: "user", URI: "spotify:user:" + u.ID}
	dev := c.devMode()
	if !dev {
		o.Followers = &followers{Total: u.Followers}
	}
	if c.has(scopeEmail) && !dev {
		o.Email = u.Email
	}
	if c.has(scopePrivate) {
		ec := u.ExplicitContent
		o.ExplicitContent = &ec
		if !dev {
			o.Country, o.Product = u.Country, u.Product
		}
	}
	writeUser(c.w, &o)
}

// myPlaylists is GET /v1/me/playlists (wire reference §5.7): public playlists
// always; private ones with playlist-read-private; collaborative ones
// with playlist-read-collaborative ([inferred] that scope alone suffices
// for them, as the docs say it is the one they require). The rest are
// left out silently. limit 1..50 (default 20), offset up to 100,000.
func (a *API) myPlaylists(c *call) {
	limit, offset, ok := c.limitOffset(20, 50, maxOffset)
	if !ok {
		return
	}
	_, lists := a.library.snapshot(c.user, c.now)
	idx := a.index()
	var shown []playlistObject
	for _, p := range lists {
		if c.visible(p) {
			shown = append(shown, c.playlist(idx, p, c.user, false))
		}
	}
	c.json(http.StatusOK, pageOf(c, "/v1/me/playlists", "", shown, limit, offset))
}

// timeRange reads time_range. [inferred] message for a bad value.
func (c *call) timeRange() (string, bool) {
	tr := c.query.Get("time_range")
	switch tr {
	case "":
		return "medium_term", true
	case "short_term", "medium_term", "long_term":
		return tr, true
	}
	c.fail(http.StatusBadRequest, "Invalid time range")
	return "", false
}

// topArtists and topTracks are GET /v1/me/top/{artists,tracks}. The fake
// keeps one ranking per user, so every time_range gives the same list.
func (a *API) topArtists(c *call) {
	tr, ok := c.timeRange()
	if !ok {
		return
	}
	limit, offset, ok := c.limitOffset(20, 50, maxOffset)
	if !ok {
		return
	}
	all := c.artists(a.index(), c.user.TopArtists)
	c.json(http.StatusOK, pageOf(c, "/v1/me/top/artists", "time_range="+tr, all, limit, offset))
}

func (a *API) topTracks(c *call) {
	tr, ok := c.timeRange()
	if !ok {
		return
	}
	limit, offset, ok := c.limitOffset(20, 50, maxOffset)
	if !ok {
		return
	}
	all := c.tracks(a.index(), c.user.TopTracks)
	c.json(http.StatusOK, pageOf(c, "/v1/me/top/tracks", "time_range="+tr, all, limit, offset))
}

// playSpacing is how long ago each configured recently-played entry was
// played, one after another back from the app's clock.
const playSpacing = 5 * time.Minute

// recentlyPlayed is GET /v1/me/player/recently-played: newest first,
// limit 1..50 (default 20), after or before as Unix milliseconds
// ([inferred] message when both are given).
func (a *API) recentlyPlayed(c *call) {
	limit, ok := c.intParam("limit", 20, 1, 50)
	if !ok {
		return
	}
	after, ok := c.intParam("after", -1, 0, math.MaxInt)
	if !ok {
		return
	}
	before, ok := c.intParam("before", -1, 0, math.MaxInt)
	if !ok {
		return
	}
	if after >= 0 && before >= 0 {
		c.fail(http.StatusBadRequest, "Only one of after and before may be specified")
		return
	}
	idx := a.index()
	var items []playHistoryItem
	var times []int64
	for i, id := range c.user.RecentlyPlayed {
		t := idx.tracks[id]
		if t == nil {
			continue
		}
		at := c.now.Add(-time.Duration(i+1) * playSpacing).Truncate(time.Millisecond)
		ms := at.UnixMilli()
		if (after >= 0 && ms <= int64(after)) || (before >= 0 && ms >= int64(before)) {
			continue
		}
		items = append(items, playHistoryItem{PlayedAt: timestamp(at, true), Track: c.track(idx, t)})
		times = append(times, ms)
	}
	more := len(items) > limit
	if more {
		items, times = items[:limit], times[:limit]
	}
	href := c.base + "/v1/me/player/recently-played?limit=" + strconv.Itoa(limit)
	p := cursorPaging{Href: href, Items: items, Limit: limit}
	if items == nil {
		p.Items = []playHistoryItem{}
	}
	if len(times) > 0 {
		newest, oldest := strconv.FormatInt(times[0], 10), strconv.FormatInt(times[len(times)-1], 10)
		p.Cursors = cursors{After: &newest, Before: &oldest}
		if more {
			next := c.base + "/v1/me/player/recently-played?before=" + oldest + "&limit=" + strconv.Itoa(limit)
			p.Next = &next
		}
	}
	c.json(http.StatusOK, p)
}

// savedTracks is GET /v1/me/tracks: newest first, limit 1..50 (default 20).
func (a *API) savedTracks(c *call) {
	limit, offset, ok := c.limitOffset(20, 50, maxOffset)
	if !ok {
		return
	}
	saved, _ := a.library.snapshot(c.user, c.now)
	idx := a.index()
	items := make([]savedTrackItem, 0, len(saved))
	for _, s := range saved {
		if t := idx.tracks[s.ID]; t != nil {
			items = append(items, savedTrackItem{AddedAt: timestamp(s.Added, false), Track: c.track(idx, t)})
		}
	}
	c.json(http.StatusOK, pageOf(c, "/v1/me/tracks", "", items, limit, offset))
}

// saveTracks and removeTracks are PUT and DELETE /v1/me/tracks: 200 with
// an empty body.
func (a *API) saveTracks(c *call) {
	ids, ok := a.trackIDs(c)
	if !ok {
		return
	}
	a.library.save(c.user, c.now, ids)
	writeBody(c.w, http.StatusOK, "", nil)
}

func (a *API) removeTracks(c *call) {
	ids, ok := a.trackIDs(c)
	if !ok {
		return
	}
	a.library.remove(c.user, c.now, ids)
	writeBody(c.w, http.StatusOK, "", nil)
}

// following is GET /v1/me/following?type=artist, cursor-paged by artist
// id. [inferred] messages: a missing type reads like search's, and only
// artist is supported (Spotify's docs say so).
func (a *API) following(c *call) {
	switch c.query.Get("type") {
	case "":
		c.fail(http.StatusBadRequest, "Missing parameter type")
		return
	case "artist":
	default:
		c.fail(http.StatusBadRequest, "type must be artist")
		return
	}
	limit, ok := c.intParam("limit", 20, 1, 50)
	if !ok {
		return
	}
	all := a.followedArtists(c)
	start := 0
	after := c.query.Get("after")
	if after != "" {
		start = len(all) // an unknown cursor is past the end
		for i, id := range all {
			if id == after {
				start = i + 1
				break
			}
		}
	}
	page := all[start:min(len(all), start+limit)]
	total := len(all)
	href := c.base + "/v1/me/following?type=artist&limit=" + strconv.Itoa(limit)
	if after != "" {
		href += "&after=" + after
	}
	p := cursorPaging{Href: href, Items: c.artists(a.index(), page), Limit: limit, Total: &total}
	if start+limit < len(all) {
		last := page[len(page)-1]
		next := c.base + "/v1/me/following?type=artist&after=" + last + "&limit=" + strconv.Itoa(limit)
		p.Cursors.After, p.Next = &last, &next
	}
	c.json(http.StatusOK, struct {
		Artists cursorPaging `json:"artists"`
	}{p})
}

// createPlaylist is POST /v1/users/{user_id}/playlists with a JSON body
// {name, public, collaborative, description}. Order: the body ("Error
// parsing JSON.", "Missing required field: name", both [observed-quote]),
// then the scope that public selects (true, the default, needs
// playlist-modify-public; false needs playlist-modify-private), then the
// owner: only the token's user may be named ("You cannot create a
// playlist for another user"). 201 with the full playlist object; it then
// heads the user's /v1/me/playlists.
func (a *API) createPlaylist(c *call) {
	a.newPlaylist(c, c.params["user_id"])
}

// createMyPlaylist is POST /v1/me/playlists, the February 2026
// replacement of the above: the same body, checks and answer, for the
// token's user.
func (a *API) createMyPlaylist(c *call) { a.newPlaylist(c, c.user.ID) }

func (a *API) newPlaylist(c *call, userID string) {
	var body struct {
		Name          *string `json:"name"`
		Public        *bool   `json:"public"`
		Collaborative *bool   `json:"collaborative"`
		Description   *string `json:"description"`
	}
	if !c.readJSON(&body) {
		return
	}
	if body.Name == nil || *body.Name == "" {
		c.fail(http.StatusBadRequest, "Missing required field: name")
		return
	}
	public := body.Public == nil || *body.Public
	collaborative := body.Collaborative != nil && *body.Collaborative
	if collaborative && public {
		// Spotify's docs: a collaborative playlist must have public false.
		// [inferred] message.
		c.fail(http.StatusBadRequest, "Collaborative playlists can only be private")
		return
	}
	scope := "playlist-modify-private"
	if public {
		scope = "playlist-modify-public"
	}
	if !c.has(scope) {
		c.fail(http.StatusForbidden, wire.MsgNoScope)
		return
	}
	if userID != c.user.ID {
		c.fail(http.StatusForbidden, "You cannot create a playlist for another user")
		return
	}
	p := playlist{Name: *body.Name, Public: public, Collaborative: collaborative}
	if body.Description != nil {
		p.Description = *body.Description
	}
	p = a.library.create(c.user, c.now, p)
	c.json(http.StatusCreated, c.playlist(a.index(), p, c.user, true))
}
