package webapi

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// catalogTrack resolves the {id} of a catalog path: 400 "invalid id" for
// a malformed id, 404 "Non existing id" for one the catalog lacks (both
// [observed-quote] for /v1/tracks/{id}; [inferred] for the other paths).
func (a *API) catalogTrack(c *call) (*catalogIndex, *config.Track, bool) {
	id := c.params["id"]
	if !validID(id) {
		c.fail(http.StatusBadRequest, "invalid id")
		return nil, nil, false
	}
	idx := a.index()
	t := idx.tracks[id]
	if t == nil {
		c.fail(http.StatusNotFound, "Non existing id")
		return nil, nil, false
	}
	return idx, t, true
}

func (a *API) catalogArtist(c *call) (*catalogIndex, *config.Artist, bool) {
	id := c.params["id"]
	if !validID(id) {
		c.fail(http.StatusBadRequest, "invalid id")
		return nil, nil, false
	}
	idx := a.index()
	ar := idx.artists[id]
	if ar == nil {
		c.fail(http.StatusNotFound, "Non existing id")
		return nil, nil, false
	}
	return idx, ar, true
}

// track is GET /v1/tracks/{id}; market is accepted and ignored.
func (a *API) track(c *call) {
	idx, t, ok := a.catalogTrack(c)
	if !ok {
		return
	}
	c.json(http.StatusOK, c.track(idx, t))
}

// audioFeatures is GET /v1/audio-features/{id}, for apps the 2024-11-27
// restriction spares; the numbers are derived from the id.
func (a *API) audioFeatures(c *call) {
	_, t, ok := a.catalogTrack(c)
	if !ok {
		return
	}
	c.json(http.StatusOK, c.audioFeatures(t))
}

// relatedArtists is GET /v1/artists/{id}/related-artists: the other
// catalog artists, those sharing most genres first, then by popularity.
func (a *API) relatedArtists(c *call) {
	idx, ar, ok := a.catalogArtist(c)
	if !ok {
		return
	}
	var others []*config.Artist
	shared := map[*config.Artist]int{}
	for i := range idx.src.Artists {
		o := &idx.src.Artists[i]
		if o.ID == ar.ID {
			continue
		}
		others = append(others, o)
		for _, g := range o.Genres {
			if slices.Contains(ar.Genres, g) {
				shared[o]++
			}
		}
	}
	sort.SliceStable(others, func(i, j int) bool {
		if shared[others[i]] != shared[others[j]] {
			return shared[others[i]] > shared[others[j]]
		}
		return others[i].Popularity > others[j].Popularity
	})
	out := make([]artistObject, 0, min(20, len(others)))
	for _, o := range others[:min(20, len(others))] {
		out = append(out, c.artist(o))
	}
	c.json(http.StatusOK, struct {
		Artists []artistObject `json:"artists"`
	}{out})
}

// artistTopTracks is GET /v1/artists/{id}/top-tracks: up to 10 of the
// artist's tracks, most popular first.
func (a *API) artistTopTracks(c *call) {
	idx, ar, ok := a.catalogArtist(c)
	if !ok {
		return
	}
	var hits []*config.Track
	for i := range idx.src.Tracks {
		if slices.Contains(idx.src.Tracks[i].Artists, ar.ID) {
			hits = append(hits, &idx.src.Tracks[i])
		}
	}
	byPopularity(hits, func(t *config.Track) int { return t.Popularity }, func(t *config.Track) string { return t.Name })
	out := make([]trackObject, 0, len(hits))
	for _, t := range hits[:min(10, len(hits))] {
		out = append(out, c.track(idx, t))
	}
	c.json(http.StatusOK, struct {
		Tracks []trackObject `json:"tracks"`
	}{out})
}

type recommendationSeed struct {
	AfterFilteringSize int    `json:"afterFilteringSize"`
	AfterRelinkingSize int    `json:"afterRelinkingSize"`
	Href               string `json:"href"`
	ID                 string `json:"id"`
	InitialPoolSize    int    `json:"initialPoolSize"`
	Type               string `json:"type"`
}

// recommendations is GET /v1/recommendations: one to five seeds in all
// from seed_artists, seed_tracks and seed_genres, limit 1..100 (default
// 20). Tracks by the seed artists (or the seed tracks' artists) come
// first, then tracks sharing a seed genre, then the rest by popularity;
// seed tracks themselves are left out. [inferred] seed messages.
func (a *API) recommendations(c *call) {
	limit, ok := c.intParam("limit", 20, 1, 100)
	if !ok {
		return
	}
	list := func(name string) []string {
		var out []string
		for _, v := range strings.Split(c.query.Get(name), ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	seedArtists, seedTracks, seedGenres := list("seed_artists"), list("seed_tracks"), list("seed_genres")
	switch n := len(seedArtists) + len(seedTracks) + len(seedGenres); {
	case n == 0:
		c.fail(http.StatusBadRequest, "At least one seed is required")
		return
	case n > 5:
		c.fail(http.StatusBadRequest, "Too many seeds (at most 5)")
		return
	}
	idx := a.index()
	for _, id := range append(append([]string(nil), seedArtists...), seedTracks...) {
		if !validID(id) {
			c.fail(http.StatusBadRequest, "invalid id")
			return
		}
	}
	artists := map[string]bool{}
	genres := map[string]bool{}
	for _, g := range seedGenres {
		genres[strings.ToLower(g)] = true
	}
	var seeds []recommendationSeed
	for _, id := range seedArtists {
		artists[id] = true
		if ar := idx.artists[id]; ar != nil {
			for _, g := range ar.Genres {
				genres[g] = true
			}
		}
		seeds = append(seeds, recommendationSeed{Href: c.base + "/v1/artists/" + id, ID: id, Type: "ARTIST"})
	}
	skip := map[string]bool{}
	for _, id := range seedTracks {
		skip[id] = true
		if t := idx.tracks[id]; t != nil {
			for _, ar := range t.Artists {
				artists[ar] = true
			}
		}
		seeds = append(seeds, recommendationSeed{Href: c.base + "/v1/tracks/" + id, ID: id, Type: "TRACK"})
	}
	for _, g := range seedGenres {
		seeds = append(seeds, recommendationSeed{ID: g, Type: "GENRE"})
	}
	score := map[string]int{}
	var pool []*config.Track
	for i := range idx.src.Tracks {
		t := &idx.src.Tracks[i]
		if skip[t.ID] {
			continue
		}
		for _, ar := range t.Artists {
			if artists[ar] {
				score[t.ID] += 2
			}
		}
		for _, g := range artistGenres(idx, t.Artists) {
			if genres[g] {
				score[t.ID]++
				break
			}
		}
		pool = append(pool, t)
	}
	sort.SliceStable(pool, func(i, j int) bool {
		if score[pool[i].ID] != score[pool[j].ID] {
			return score[pool[i].ID] > score[pool[j].ID]
		}
		return pool[i].Popularity > pool[j].Popularity
	})
	pool = pool[:min(limit, len(pool))]
	for i := range seeds {
		seeds[i].AfterFilteringSize, seeds[i].AfterRelinkingSize, seeds[i].InitialPoolSize = len(pool), len(pool), len(idx.src.Tracks)
	}
	out := make([]trackObject, 0, len(pool))
	for _, t := range pool {
		out = append(out, c.track(idx, t))
	}
	c.json(http.StatusOK, struct {
		Seeds  []recommendationSeed `json:"seeds"`
		Tracks []trackObject        `json:"tracks"`
	}{seeds, out})
}
