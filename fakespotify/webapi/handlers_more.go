package webapi

import (
	"net/http"
	"strings"
)

// severalTracks is GET /v1/tracks?ids=: up to 50 tracks, in the order
// asked, null for an id the catalog lacks (Spotify's reference; web-api
// clients see nulls, SpotifyAPI-NET#834). Development-mode apps get the
// 403 of the February 2026 removals before this runs.
func (a *API) severalTracks(c *call) {
	ids, ok := c.idList(50)
	if !ok {
		return
	}
	idx := a.index()
	out := make([]*trackObject, len(ids))
	for i, id := range ids {
		if t := idx.tracks[id]; t != nil {
			tr := c.track(idx, t)
			out[i] = &tr
		}
	}
	c.json(http.StatusOK, struct {
		Tracks []*trackObject `json:"tracks"`
	}{out})
}

// getArtist is GET /v1/artists/{id}, the href of every artist object.
func (a *API) getArtist(c *call) {
	_, ar, ok := a.catalogArtist(c)
	if !ok {
		return
	}
	c.json(http.StatusOK, c.artist(ar))
}

// catalogAlbum resolves the {id} of an album path, as catalogTrack does
// for tracks.
func (a *API) catalogAlbum(c *call) (*catalogIndex, *album, bool) {
	id := c.params["id"]
	if !validID(id) {
		c.fail(http.StatusBadRequest, "invalid id")
		return nil, nil, false
	}
	idx := a.index()
	if al := idx.album(id); al != nil {
		return idx, al, true
	}
	c.fail(http.StatusNotFound, "Non existing id")
	return nil, nil, false
}

// getAlbum is GET /v1/albums/{id}: the album with its first 50 tracks.
func (a *API) getAlbum(c *call) {
	idx, al, ok := a.catalogAlbum(c)
	if !ok {
		return
	}
	genres := []string{}
	pop := 0
	for _, id := range al.Tracks {
		pop = max(pop, idx.tracks[id].Popularity)
	}
	simple := c.album(idx, al)
	c.json(http.StatusOK, albumObject{AlbumType: simple.AlbumType, Artists: simple.Artists, ExternalURLs: simple.ExternalURLs,
		Genres: genres, Href: simple.Href, ID: al.ID, Images: noImages, Name: al.Name, Popularity: pop,
		TotalTracks: len(al.Tracks), Tracks: pageOf(c, "/v1/albums/"+al.ID+"/tracks", "", c.albumTrackList(idx, al), 50, 0),
		Type: "album", URI: simple.URI})
}

func (c *call) albumTrackList(idx *catalogIndex, al *album) []simpleTrack {
	out := make([]simpleTrack, 0, len(al.Tracks))
	for _, id := range al.Tracks {
		out = append(out, c.simpleTrack(idx, idx.tracks[id]))
	}
	return out
}

// albumTracks is GET /v1/albums/{id}/tracks: limit 1..50 (default 20).
func (a *API) albumTracks(c *call) {
	idx, al, ok := a.catalogAlbum(c)
	if !ok {
		return
	}
	limit, offset, ok := c.limitOffset(20, 50, maxOffset)
	if !ok {
		return
	}
	c.json(http.StatusOK, pageOf(c, "/v1/albums/"+al.ID+"/tracks", "", c.albumTrackList(idx, al), limit, offset))
}

// severalAudioFeatures is GET /v1/audio-features?ids=: up to 100 (the
// limit spotipy PR#469 quotes from Spotify's reference), null for an
// unknown id.
func (a *API) severalAudioFeatures(c *call) {
	ids, ok := c.idList(100)
	if !ok {
		return
	}
	idx := a.index()
	out := make([]*audioFeatures, len(ids))
	for i, id := range ids {
		if t := idx.tracks[id]; t != nil {
			f := c.audioFeatures(t)
			out[i] = &f
		}
	}
	c.json(http.StatusOK, struct {
		AudioFeatures []*audioFeatures `json:"audio_features"`
	}{out})
}

// audioAnalysis is GET /v1/audio-analysis/{id}, for the apps the
// 2024-11-27 restriction spares: the track section of Spotify's analysis
// object, derived from the id like the audio features, with empty
// bars, beats, sections, segments and tatums. [inferred] shape: the
// fields Spotify documents, the time series left empty.
func (a *API) audioAnalysis(c *call) {
	_, t, ok := a.catalogTrack(c)
	if !ok {
		return
	}
	f := c.audioFeatures(t)
	empty := []struct{}{}
	c.json(http.StatusOK, map[string]any{
		"bars": empty, "beats": empty, "sections": empty, "segments": empty, "tatums": empty,
		"meta": map[string]any{"analyzer_version": "4.0.0", "platform": "Linux", "status_code": 0, "detailed_status": "OK"},
		"track": map[string]any{"duration": float64(t.DurationMS) / 1000, "loudness": f.Loudness,
			"tempo": f.Tempo, "key": f.Key, "mode": f.Mode, "time_signature": f.TimeSignature},
	})
}

// featuredPlaylists is GET /v1/browse/featured-playlists, and
// categoryPlaylists GET /v1/browse/categories/{category_id}/playlists,
// for the apps the restriction spares. Both list editorial playlists,
// which the fake's catalog has none of: an empty page. [inferred]
func (a *API) featuredPlaylists(c *call) {
	limit, offset, ok := c.limitOffset(20, 50, maxOffset)
	if !ok {
		return
	}
	c.json(http.StatusOK, struct {
		Message   string `json:"message"`
		Playlists paging `json:"playlists"`
	}{"Featured", pageOf(c, "/v1/browse/featured-playlists", "", []playlistObject{}, limit, offset)})
}

func (a *API) categoryPlaylists(c *call) {
	limit, offset, ok := c.limitOffset(20, 50, maxOffset)
	if !ok {
		return
	}
	path := "/v1/browse/categories/" + c.params["category_id"] + "/playlists"
	c.json(http.StatusOK, struct {
		Playlists paging `json:"playlists"`
	}{pageOf(c, path, "", []playlistObject{}, limit, offset)})
}

// maxLibraryURIs is how many URIs PUT and DELETE /v1/me/library take at
// once: 40, as a client library documents the endpoint
// (jonathan343/spotify-sdk). [inferred] past it, "too many ids requested".
const maxLibraryURIs = 40

// libraryURIs reads the URIs of PUT and DELETE /v1/me/library (§8.1, the
// February 2026 migration guide): the uris query parameter
// (comma-separated), else a JSON body {"uris":[...]}. The fake's catalog
// has tracks, albums and artists, and its users have playlists: track
// and album URIs save and remove, artist and playlist URIs follow and
// unfollow. [inferred] messages: "Missing required field: uris", and
// "Invalid uri: <uri>" for anything else (shows, episodes, audiobooks
// the catalog lacks, a malformed URI).
func (a *API) libraryURIs(c *call) (map[string][]string, bool) {
	var uris []string
	if q := c.query.Get("uris"); q != "" {
		uris = strings.Split(q, ",")
	} else {
		var body struct {
			URIs []string `json:"uris"`
		}
		if !c.readJSON(&body) {
			return nil, false
		}
		uris = body.URIs
	}
	switch {
	case len(uris) == 0:
		c.fail(http.StatusBadRequest, "Missing required field: uris")
		return nil, false
	case len(uris) > maxLibraryURIs:
		c.fail(http.StatusBadRequest, msgTooManyIDs)
		return nil, false
	}
	idx := a.index()
	byKind := map[string][]string{}
	for _, u := range uris {
		u = strings.TrimSpace(u)
		kind, id, ok := splitURI(u)
		known := ok && validID(id)
		switch kind {
		case "track":
			known = known && idx.tracks[id] != nil
		case "artist":
			known = known && idx.artists[id] != nil
		case "album":
			known = known && idx.album(id) != nil
		case "playlist":
			_, found := a.library.playlist(a.b.Users(), c.now, id)
			known = known && found
		default:
			known = false
		}
		if !known {
			c.fail(http.StatusBadRequest, "Invalid uri: "+u)
			return nil, false
		}
		byKind[kind] = append(byKind[kind], id)
	}
	return byKind, true
}

// saveToLibrary is PUT /v1/me/library: 200 with an empty body, like
// PUT /v1/me/tracks.
func (a *API) saveToLibrary(c *call) {
	byKind, ok := a.libraryURIs(c)
	if !ok {
		return
	}
	a.library.with(c.user, c.now, func(ul *userLibrary) {
		ul.saved = saveItems(ul.saved, byKind["track"], c.now)
		ul.albums = saveItems(ul.albums, byKind["album"], c.now)
		ul.artists = addIDs(ul.artists, byKind["artist"])
		ul.following = addIDs(ul.following, byKind["playlist"])
	})
	writeBody(c.w, http.StatusOK, "", nil)
}

// removeFromLibrary is DELETE /v1/me/library.
func (a *API) removeFromLibrary(c *call) {
	byKind, ok := a.libraryURIs(c)
	if !ok {
		return
	}
	a.library.with(c.user, c.now, func(ul *userLibrary) {
		ul.saved = removeItems(ul.saved, byKind["track"])
		ul.albums = removeItems(ul.albums, byKind["album"])
		ul.artists = removeIDs(ul.artists, byKind["artist"])
		ul.following = removeIDs(ul.following, byKind["playlist"])
	})
	writeBody(c.w, http.StatusOK, "", nil)
}

// followedArtists are the artists the user follows now.
func (a *API) followedArtists(c *call) []string {
	var out []string
	a.library.with(c.user, c.now, func(ul *userLibrary) { out = append(out, ul.artists...) })
	return out
}
