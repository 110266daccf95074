package webapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// SearchTypes are the values /v1/search accepts in type.
var SearchTypes = []string{"album", "artist", "playlist", "track", "show", "episode", "audiobook"}

// searchQuery is a parsed q: free words, and field filters such as
// artist:Avicii or track:"Mr. Brightside".
type searchQuery struct {
	words   []string
	filters map[string][]string
}

// searchFields are the field filters Spotify documents. The fake's
// catalog has no years, codes or tags, so year, upc, isrc and tag are
// accepted and ignored.
var searchFields = map[string]bool{"album": true, "artist": true, "track": true, "genre": true, "year": true, "upc": true, "isrc": true, "tag": true}

// parseSearchQuery splits q into lowercased words and field filters. A
// double-quoted phrase is one word; an unterminated quote runs to the end.
// Boolean operators (OR, NOT) are not supported and count as words.
func parseSearchQuery(q string) searchQuery {
	sq := searchQuery{filters: map[string][]string{}}
	i := 0
	for i < len(q) {
		for i < len(q) && (q[i] == ' ' || q[i] == '\t') {
			i++
		}
		if i >= len(q) {
			break
		}
		field := ""
		if j := strings.IndexAny(q[i:], ": \t\""); j > 0 && q[i+j] == ':' && searchFields[strings.ToLower(q[i:i+j])] {
			field = strings.ToLower(q[i : i+j])
			i += j + 1
		}
		var val string
		if i < len(q) && q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				val, i = q[i+1:], len(q)
			} else {
				val, i = q[i+1:i+1+end], i+end+2
			}
		} else {
			end := strings.IndexAny(q[i:], " \t")
			if end < 0 {
				end = len(q) - i
			}
			val, i = q[i:i+end], i+end
		}
		val = strings.ToLower(strings.TrimSpace(val))
		if val == "" {
			continue
		}
		if field != "" {
			sq.filters[field] = append(sq.filters[field], val)
		} else {
			sq.words = append(sq.words, val)
		}
	}
	return sq
}

// matches reports whether every free word is in haystack and every
// filter of fields present in values matches one of them. Filters on
// fields the item type lacks are ignored.
func (sq searchQuery) matches(haystack string, values map[string][]string) bool {
	for _, w := range sq.words {
		if !strings.Contains(haystack, w) {
			return false
		}
	}
	for field, wants := range sq.filters {
		have, applies := values[field]
		if !applies {
			continue
		}
		for _, want := range wants {
			found := false
			for _, h := range have {
				if strings.Contains(h, want) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

type searchResult struct {
	Albums     *paging `json:"albums,omitempty"`
	Artists    *paging `json:"artists,omitempty"`
	Audiobooks *paging `json:"audiobooks,omitempty"`
	Episodes   *paging `json:"episodes,omitempty"`
	Playlists  *paging `json:"playlists,omitempty"`
	Shows      *paging `json:"shows,omitempty"`
	Tracks     *paging `json:"tracks,omitempty"`
}

// search is GET /v1/search. Messages: "No search query", "Missing
// parameter type", "Bad search type field <type>", "Invalid limit" and
// "Invalid offset" are [observed-quote] from Spotify test suites and
// issues. Development-mode apps get limit max 10, default 5 (Feb 2026).
// [inferred] The offset cap is 1000 and q may also be sent as query,
// because Spotify's own next links use query=. The fake has no shows,
// episodes or audiobooks, and Backend lists no users, so those types and
// playlist always come back empty.
func (a *API) search(c *call) {
	q := c.query.Get("q")
	if q == "" {
		q = c.query.Get("query")
	}
	if strings.TrimSpace(q) == "" {
		c.fail(http.StatusBadRequest, "No search query")
		return
	}
	rawTypes := c.query.Get("type")
	if rawTypes == "" {
		c.fail(http.StatusBadRequest, "Missing parameter type")
		return
	}
	want := map[string]bool{}
	var order []string
	for _, t := range strings.Split(rawTypes, ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(SearchTypes, t) {
			c.fail(http.StatusBadRequest, "Bad search type field "+t)
			return
		}
		if !want[t] {
			order = append(order, t)
		}
		want[t] = true
	}
	def, maxLimit := 20, 50
	if c.devMode() {
		def, maxLimit = 5, 10
	}
	limit, offset, ok := c.limitOffset(def, maxLimit, 1000)
	if !ok {
		return
	}

	sq := parseSearchQuery(q)
	idx := a.index()
	var res searchResult
	for _, t := range order {
		extra := "query=" + url.QueryEscape(q) + "&type=" + t
		var p paging
		switch t {
		case "track":
			p = pageOf(c, "/v1/search", extra, c.tracks(idx, searchTracks(idx, sq)), limit, offset)
			res.Tracks = &p
		case "artist":
			p = pageOf(c, "/v1/search", extra, c.artists(idx, searchArtists(idx, sq)), limit, offset)
			res.Artists = &p
		case "album":
			var albums []simpleAlbum
			for _, al := range searchAlbums(idx, sq) {
				albums = append(albums, c.album(idx, al))
			}
			p = pageOf(c, "/v1/search", extra, albums, limit, offset)
			res.Albums = &p
		default:
			p = pageOf(c, "/v1/search", extra, []struct{}{}, limit, offset)
			switch t {
			case "playlist":
				res.Playlists = &p
			case "show":
				res.Shows = &p
			case "episode":
				res.Episodes = &p
			case "audiobook":
				res.Audiobooks = &p
			}
		}
	}
	c.json(http.StatusOK, res)
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

func artistNames(idx *catalogIndex, ids []string) []string {
	var names []string
	for _, id := range ids {
		if a := idx.artists[id]; a != nil {
			names = append(names, a.Name)
		}
	}
	return names
}

func artistGenres(idx *catalogIndex, ids []string) []string {
	var genres []string
	for _, id := range ids {
		if a := idx.artists[id]; a != nil {
			genres = append(genres, a.Genres...)
		}
	}
	return genres
}

func searchTracks(idx *catalogIndex, sq searchQuery) []string {
	var hits []*config.Track
	for i := range idx.src.Tracks {
		t := &idx.src.Tracks[i]
		names := lowerAll(artistNames(idx, t.Artists))
		hay := strings.ToLower(t.Name+" "+t.Album) + " " + strings.Join(names, " ")
		if sq.matches(hay, map[string][]string{"track": {strings.ToLower(t.Name)}, "artist": names,
			"album": {strings.ToLower(t.Album)}, "genre": lowerAll(artistGenres(idx, t.Artists))}) {
			hits = append(hits, t)
		}
	}
	byPopularity(hits, func(t *config.Track) int { return t.Popularity }, func(t *config.Track) string { return t.Name })
	ids := make([]string, len(hits))
	for i, t := range hits {
		ids[i] = t.ID
	}
	return ids
}

func searchArtists(idx *catalogIndex, sq searchQuery) []string {
	var hits []*config.Artist
	for i := range idx.src.Artists {
		a := &idx.src.Artists[i]
		name := strings.ToLower(a.Name)
		if sq.matches(name, map[string][]string{"artist": {name}, "genre": lowerAll(a.Genres)}) {
			hits = append(hits, a)
		}
	}
	byPopularity(hits, func(a *config.Artist) int { return a.Popularity }, func(a *config.Artist) string { return a.Name })
	ids := make([]string, len(hits))
	for i, a := range hits {
		ids[i] = a.ID
	}
	return ids
}

func searchAlbums(idx *catalogIndex, sq searchQuery) []*album {
	var hits []*album
	pop := map[*album]int{}
	for _, al := range idx.albums {
		names := lowerAll(artistNames(idx, al.Artists))
		hay := strings.ToLower(al.Name) + " " + strings.Join(names, " ")
		if sq.matches(hay, map[string][]string{"album": {strings.ToLower(al.Name)}, "artist": names,
			"genre": lowerAll(artistGenres(idx, al.Artists))}) {
			hits = append(hits, al)
			for _, id := range al.Tracks {
				pop[al] = max(pop[al], idx.tracks[id].Popularity)
			}
		}
	}
	byPopularity(hits, func(al *album) int { return pop[al] }, func(al *album) string { return al.Name })
	return hits
}
