package webapi

import (
	"math"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// The objects below mirror Spotify's, with fields in the alphabetical
// order Spotify prints them in.

type externalURLs struct {
	Spotify string `json:"spotify"`
}

type followers struct {
	Href  *string `json:"href"`
	Total int     `json:"total"`
}

type image struct {
	Height *int   `json:"height"`
	URL    string `json:"url"`
	Width  *int   `json:"width"`
}

// noImages is what every image list holds: the fake has no artwork.
var noImages = []image{}

type privateUser struct {
	Country         string                  `json:"country,omitempty"`
	DisplayName     *string                 `json:"display_name"`
	Email           string                  `json:"email,omitempty"`
	ExplicitContent *config.ExplicitContent `json:"explicit_content,omitempty"`
	ExternalURLs    externalURLs            `json:"external_urls"`
	Followers       *followers              `json:"followers,omitempty"`
	Href            string                  `json:"href"`
	ID              string                  `json:"id"`
	Images          []image                 `json:"images"`
	Product         string                  `json:"product,omitempty"`
	Type            string                  `json:"type"`
	URI             string                  `json:"uri"`
}

type publicUser struct {
	DisplayName  *string      `json:"display_name"`
	ExternalURLs externalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

type simpleArtist struct {
	ExternalURLs externalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

type artistObject struct {
	ExternalURLs externalURLs `json:"external_urls"`
	Followers    followers    `json:"followers"`
	Genres       []string     `json:"genres"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	Images       []image      `json:"images"`
	Name         string       `json:"name"`
	Popularity   int          `json:"popularity"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

type simpleAlbum struct {
	AlbumType    string         `json:"album_type"`
	Artists      []simpleArtist `json:"artists"`
	ExternalURLs externalURLs   `json:"external_urls"`
	Href         string         `json:"href"`
	ID           string         `json:"id"`
	Images       []image        `json:"images"`
	Name         string         `json:"name"`
	TotalTracks  int            `json:"total_tracks"`
	Type         string         `json:"type"`
	URI          string         `json:"uri"`
}

type trackObject struct {
	Album        simpleAlbum    `json:"album"`
	Artists      []simpleArtist `json:"artists"`
	DiscNumber   int            `json:"disc_number"`
	DurationMS   int            `json:"duration_ms"`
	Explicit     bool           `json:"explicit"`
	ExternalURLs externalURLs   `json:"external_urls"`
	Href         string         `json:"href"`
	ID           string         `json:"id"`
	IsLocal      bool           `json:"is_local"`
	Name         string         `json:"name"`
	Popularity   int            `json:"popularity"`
	PreviewURL   *string        `json:"preview_url"` // null: no previews since 2024-11-27
	TrackNumber  int            `json:"track_number"`
	Type         string         `json:"type"`
	URI          string         `json:"uri"`
}

type savedTrackItem struct {
	AddedAt string      `json:"added_at"`
	Track   trackObject `json:"track"`
}

type playHistoryItem struct {
	Context  *struct{}   `json:"context"`
	PlayedAt string      `json:"played_at"`
	Track    trackObject `json:"track"`
}

// playlistItemsRef is the {href,total} a simplified playlist carries
// under tracks (items after the February 2026 rename).
type playlistItemsRef struct {
	Href  string `json:"href"`
	Total int    `json:"total"`
}

// playlistObject is Spotify's playlist. Before the February 2026 rename
// its items were under tracks; after it, for development-mode apps, under
// items (§5.7; cliamp#54). Extended-quota apps keep tracks (the migration
// guide: "all existing endpoints, fields, and behaviors remain
// unchanged"). Exactly one of the two is set.
type playlistObject struct {
	Collaborative bool         `json:"collaborative"`
	Description   string       `json:"description"`
	ExternalURLs  externalURLs `json:"external_urls"`
	Followers     *followers   `json:"followers,omitempty"` // only on the full object
	Href          string       `json:"href"`
	ID            string       `json:"id"`
	Images        []image      `json:"images"`
	Items         any          `json:"items,omitempty"`
	Name          string       `json:"name"`
	Owner         publicUser   `json:"owner"`
	PrimaryColor  *string      `json:"primary_color"`
	Public        bool         `json:"public"`
	SnapshotID    string       `json:"snapshot_id"`
	Tracks        any          `json:"tracks,omitempty"`
	Type          string       `json:"type"`
	URI           string       `json:"uri"`
}

// playlistItem is one entry of a playlist's items: the track under item
// and, deprecated since the rename but still sent, under track
// (joostlek/python-spotify#774). The pre-2026 path /tracks sends track
// only.
type playlistItem struct {
	AddedAt        string        `json:"added_at"`
	AddedBy        *playlistUser `json:"added_by"`
	IsLocal        bool          `json:"is_local"`
	Item           *trackObject  `json:"item,omitempty"`
	PrimaryColor   *string       `json:"primary_color"`
	Track          *trackObject  `json:"track"`
	VideoThumbnail struct {
		URL *string `json:"url"`
	} `json:"video_thumbnail"`
}

// playlistUser is the added_by of a playlist item: a user without a
// display name.
type playlistUser struct {
	ExternalURLs externalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

// userProfile is GET /v1/users/{id}: a public user with followers and
// images.
type userProfile struct {
	DisplayName  *string      `json:"display_name"`
	ExternalURLs externalURLs `json:"external_urls"`
	Followers    followers    `json:"followers"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	Images       []image      `json:"images"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

// simpleTrack is a track inside an album (no album, no popularity).
type simpleTrack struct {
	Artists      []simpleArtist `json:"artists"`
	DiscNumber   int            `json:"disc_number"`
	DurationMS   int            `json:"duration_ms"`
	Explicit     bool           `json:"explicit"`
	ExternalURLs externalURLs   `json:"external_urls"`
	Href         string         `json:"href"`
	ID           string         `json:"id"`
	IsLocal      bool           `json:"is_local"`
	Name         string         `json:"name"`
	PreviewURL   *string        `json:"preview_url"`
	TrackNumber  int            `json:"track_number"`
	Type         string         `json:"type"`
	URI          string         `json:"uri"`
}

// albumObject is GET /v1/albums/{id}. [inferred] Fields the catalog has
// nothing for (release_date, label, copyrights, external_ids) are left
// out rather than made up.
type albumObject struct {
	AlbumType    string         `json:"album_type"`
	Artists      []simpleArtist `json:"artists"`
	ExternalURLs externalURLs   `json:"external_urls"`
	Genres       []string       `json:"genres"`
	Href         string         `json:"href"`
	ID           string         `json:"id"`
	Images       []image        `json:"images"`
	Name         string         `json:"name"`
	Popularity   int            `json:"popularity"`
	TotalTracks  int            `json:"total_tracks"`
	Tracks       paging         `json:"tracks"`
	Type         string         `json:"type"`
	URI          string         `json:"uri"`
}

type audioFeatures struct {
	Acousticness     float64 `json:"acousticness"`
	AnalysisURL      string  `json:"analysis_url"`
	Danceability     float64 `json:"danceability"`
	DurationMS       int     `json:"duration_ms"`
	Energy           float64 `json:"energy"`
	ID               string  `json:"id"`
	Instrumentalness float64 `json:"instrumentalness"`
	Key              int     `json:"key"`
	Liveness         float64 `json:"liveness"`
	Loudness         float64 `json:"loudness"`
	Mode             int     `json:"mode"`
	Speechiness      float64 `json:"speechiness"`
	Tempo            float64 `json:"tempo"`
	TimeSignature    int     `json:"time_signature"`
	TrackHref        string  `json:"track_href"`
	Type             string  `json:"type"`
	URI              string  `json:"uri"`
	Valence          float64 `json:"valence"`
}

// paging is Spotify's offset-based paging object.
type paging struct {
	Href     string  `json:"href"`
	Items    any     `json:"items"`
	Limit    int     `json:"limit"`
	Next     *string `json:"next"`
	Offset   int     `json:"offset"`
	Previous *string `json:"previous"`
	Total    int     `json:"total"`
}

type cursors struct {
	After  *string `json:"after"`
	Before *string `json:"before,omitempty"`
}

// cursorPaging is Spotify's cursor-based paging object (followed artists,
// recently played). Total is only on the followed-artists one.
type cursorPaging struct {
	Cursors cursors `json:"cursors"`
	Href    string  `json:"href"`
	Items   any     `json:"items"`
	Limit   int     `json:"limit"`
	Next    *string `json:"next"`
	Total   *int    `json:"total,omitempty"`
}

func openURL(kind, id string) externalURLs {
	return externalURLs{Spotify: "https://open.spotify.com/" + kind + "/" + id}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (c *call) publicUser(u config.User) publicUser {
	return publicUser{DisplayName: nullable(u.DisplayName), ExternalURLs: openURL("user", u.ID),
		Href: c.base + "/v1/users/" + u.ID, ID: u.ID, Type: "user", URI: "spotify:user:" + u.ID}
}

func (c *call) simpleArtist(idx *catalogIndex, id string) simpleArtist {
	name := ""
	if a := idx.artists[id]; a != nil {
		name = a.Name
	}
	return simpleArtist{ExternalURLs: openURL("artist", id), Href: c.base + "/v1/artists/" + id,
		ID: id, Name: name, Type: "artist", URI: "spotify:artist:" + id}
}

func (c *call) simpleArtists(idx *catalogIndex, ids []string) []simpleArtist {
	out := make([]simpleArtist, 0, len(ids))
	for _, id := range ids {
		out = append(out, c.simpleArtist(idx, id))
	}
	return out
}

func (c *call) artist(a *config.Artist) artistObject {
	genres := a.Genres
	if genres == nil {
		genres = []string{}
	}
	return artistObject{ExternalURLs: openURL("artist", a.ID),
		// The catalog has no follower counts; a popularity-shaped number.
		Followers: followers{Total: a.Popularity * a.Popularity * 1000},
		Genres:    genres, Href: c.base + "/v1/artists/" + a.ID, ID: a.ID, Images: noImages,
		Name: a.Name, Popularity: a.Popularity, Type: "artist", URI: "spotify:artist:" + a.ID}
}

func (c *call) album(idx *catalogIndex, al *album) simpleAlbum {
	return simpleAlbum{AlbumType: "album", Artists: c.simpleArtists(idx, al.Artists), ExternalURLs: openURL("album", al.ID),
		Href: c.base + "/v1/albums/" + al.ID, ID: al.ID, Images: noImages, Name: al.Name,
		TotalTracks: len(al.Tracks), Type: "album", URI: "spotify:album:" + al.ID}
}

func (c *call) track(idx *catalogIndex, t *config.Track) trackObject {
	al := idx.albumOf(t)
	number := 1
	for i, id := range al.Tracks {
		if id == t.ID {
			number = i + 1
		}
	}
	return trackObject{Album: c.album(idx, al), Artists: c.simpleArtists(idx, t.Artists), DiscNumber: 1,
		DurationMS: t.DurationMS, Explicit: t.Explicit, ExternalURLs: openURL("track", t.ID),
		Href: c.base + "/v1/tracks/" + t.ID, ID: t.ID, Name: t.Name, Popularity: t.Popularity,
		TrackNumber: number, Type: "track", URI: "spotify:track:" + t.ID}
}

// tracks renders the catalog tracks among ids, skipping ids the catalog
// does not have (config validation already rejects those).
func (c *call) tracks(idx *catalogIndex, ids []string) []trackObject {
	out := make([]trackObject, 0, len(ids))
	for _, id := range ids {
		if t := idx.tracks[id]; t != nil {
			out = append(out, c.track(idx, t))
		}
	}
	return out
}

func (c *call) artists(idx *catalogIndex, ids []string) []artistObject {
	out := make([]artistObject, 0, len(ids))
	for _, id := range ids {
		if a := idx.artists[id]; a != nil {
			out = append(out, c.artist(a))
		}
	}
	return out
}

// playlist renders a playlist; full adds followers and the first page
// of items, as GET /v1/playlists/{id} does.
func (c *call) playlist(idx *catalogIndex, p playlist, owner config.User, full bool) playlistObject {
	o := playlistObject{Collaborative: p.Collaborative, Description: p.Description, ExternalURLs: openURL("playlist", p.ID),
		Href: c.base + "/v1/playlists/" + p.ID, ID: p.ID, Images: noImages, Name: p.Name,
		Owner: c.publicUser(owner), Public: p.Public, SnapshotID: p.Snapshot, Type: "playlist",
		URI: "spotify:playlist:" + p.ID}
	renamed := c.devMode()
	path := "/v1/playlists/" + p.ID + "/tracks"
	if renamed {
		path = "/v1/playlists/" + p.ID + "/items"
	}
	var items any = playlistItemsRef{Href: c.base + path, Total: len(p.Items)}
	if full {
		o.Followers = &followers{}
		items = pageOf(c, path, "", c.playlistItems(idx, p, renamed), playlistPage, 0)
	}
	if renamed {
		o.Items = items
	} else {
		o.Tracks = items
	}
	return o
}

// playlistPage is the page of items a full playlist carries, and the
// default and largest limit of its items (Spotify's reference: 100).
const playlistPage = 100

// playlistItems renders every item of p; withItem adds the item field of
// the February 2026 rename.
func (c *call) playlistItems(idx *catalogIndex, p playlist, withItem bool) []playlistItem {
	out := make([]playlistItem, 0, len(p.Items))
	for _, e := range p.Items {
		t := idx.tracks[e.ID]
		if t == nil {
			continue
		}
		tr := c.track(idx, t)
		it := playlistItem{AddedAt: timestamp(e.Added, false), Track: &tr,
			AddedBy: &playlistUser{ExternalURLs: openURL("user", e.AddedBy), Href: c.base + "/v1/users/" + e.AddedBy,
				ID: e.AddedBy, Type: "user", URI: "spotify:user:" + e.AddedBy}}
		if withItem {
			it.Item = &tr
		}
		out = append(out, it)
	}
	return out
}

func (c *call) simpleTrack(idx *catalogIndex, t *config.Track) simpleTrack {
	full := c.track(idx, t)
	return simpleTrack{Artists: full.Artists, DiscNumber: full.DiscNumber, DurationMS: full.DurationMS,
		Explicit: full.Explicit, ExternalURLs: full.ExternalURLs, Href: full.Href, ID: full.ID,
		Name: full.Name, TrackNumber: full.TrackNumber, Type: "track", URI: full.URI}
}

func (c *call) userProfile(u config.User) userProfile {
	return userProfile{DisplayName: nullable(u.DisplayName), ExternalURLs: openURL("user", u.ID),
		Followers: followers{Total: u.Followers}, Href: c.base + "/v1/users/" + u.ID, ID: u.ID,
		Images: noImages, Type: "user", URI: "spotify:user:" + u.ID}
}

func (c *call) audioFeatures(t *config.Track) audioFeatures {
	r3 := func(v float64) float64 { return math.Round(v*1000) / 1000 }
	f := func(name string) float64 { return r3(unit(t.ID, name)) }
	return audioFeatures{Acousticness: f("acousticness"), AnalysisURL: c.base + "/v1/audio-analysis/" + t.ID,
		Danceability: f("danceability"), DurationMS: t.DurationMS, Energy: f("energy"), ID: t.ID,
		Instrumentalness: r3(unit(t.ID, "instrumentalness") / 10), Key: int(unit(t.ID, "key") * 12),
		Liveness: r3(unit(t.ID, "liveness") / 2), Loudness: r3(-2 - unit(t.ID, "loudness")*10),
		Mode: int(unit(t.ID, "mode") * 2), Speechiness: r3(unit(t.ID, "speechiness") / 5),
		Tempo: r3(70 + unit(t.ID, "tempo")*110), TimeSignature: 4, TrackHref: c.base + "/v1/tracks/" + t.ID,
		Type: "audio_features", URI: "spotify:track:" + t.ID, Valence: f("valence")}
}

// timestamp is Spotify's ISO 8601 UTC form, e.g. 2016-12-13T20:44:04.589Z
// (played_at; added_at uses whole seconds).
func timestamp(t time.Time, millis bool) string {
	if millis {
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
