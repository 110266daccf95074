package webapi

import (
	"crypto/sha256"
	"sort"
	"strings"
	"sync"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// catalogIndex is the catalog with lookups by id, built once per catalog
// value the backend hands out.
type catalogIndex struct {
	key     *config.Catalog // what the backend returned, possibly nil
	src     *config.Catalog // never nil
	artists map[string]*config.Artist
	tracks  map[string]*config.Track
	// albums in first-seen order, keyed by derived id.
	albums     []*album
	albumByKey map[string]*album
}

// album is derived from the catalog's tracks: the catalog names albums
// but gives them no id, so the id is a hash of the name and first artist.
type album struct {
	ID      string
	Name    string
	Artists []string
	Tracks  []string
}

type catalogCache struct {
	mu  sync.Mutex
	idx *catalogIndex
}

// index returns the index of b.Catalog(), rebuilding it when the backend
// hands out a different catalog. A catalog is treated as immutable once
// handed out: the fake swaps the pointer rather than editing in place.
func (a *API) index() *catalogIndex {
	cat := a.b.Catalog()
	a.catalog.mu.Lock()
	defer a.catalog.mu.Unlock()
	if a.catalog.idx != nil && a.catalog.idx.key == cat {
		return a.catalog.idx
	}
	idx := &catalogIndex{key: cat, src: cat, artists: map[string]*config.Artist{}, tracks: map[string]*config.Track{}, albumByKey: map[string]*album{}}
	if cat == nil {
		idx.src = &config.Catalog{}
	}
	for i := range idx.src.Artists {
		idx.artists[idx.src.Artists[i].ID] = &idx.src.Artists[i]
	}
	for i := range idx.src.Tracks {
		t := &idx.src.Tracks[i]
		idx.tracks[t.ID] = t
		key := t.Album + "\x00" + strings.Join(t.Artists, ",")
		al := idx.albumByKey[key]
		if al == nil {
			al = &album{ID: derivedID("album", key), Name: t.Album, Artists: t.Artists}
			idx.albumByKey[key] = al
			idx.albums = append(idx.albums, al)
		}
		al.Tracks = append(al.Tracks, t.ID)
	}
	a.catalog.idx = idx
	return idx
}

// album returns the album with a derived id, or nil.
func (idx *catalogIndex) album(id string) *album {
	for _, al := range idx.albums {
		if al.ID == id {
			return al
		}
	}
	return nil
}

func (idx *catalogIndex) albumOf(t *config.Track) *album {
	return idx.albumByKey[t.Album+"\x00"+strings.Join(t.Artists, ",")]
}

// byPopularity sorts most popular first, then by name, the order the fake
// uses for "relevance" and "top".
func byPopularity[T any](items []T, pop func(T) int, name func(T) string) {
	sort.SliceStable(items, func(i, j int) bool {
		if pi, pj := pop(items[i]), pop(items[j]); pi != pj {
			return pi > pj
		}
		return name(items[i]) < name(items[j])
	})
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// derivedID is a stable 22-character base62 id for something the config
// does not give an id.
func derivedID(kind, key string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	var b [22]byte
	for i := range b {
		b[i] = base62[int(sum[i])%len(base62)]
	}
	return string(b[:])
}

// validID reports whether s has the shape of a Spotify id: 22 base62
// characters (wire reference §7).
func validID(s string) bool {
	if len(s) != 22 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(base62, rune(s[i])) {
			return false
		}
	}
	return true
}

// unit returns a stable number in [0,1) for a track feature, so that
// audio features look plausible and never change between calls.
func unit(id, feature string) float64 {
	sum := sha256.Sum256([]byte(feature + "\x00" + id))
	v := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	return float64(v) / (1 << 32)
}
