package webapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"sync"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// library is the per-user state the Web API changes: saved tracks and
// albums, followed artists and playlists, the user's playlists and their
// items, and the player. A user's entry is copied from Backend.User the
// first time the API needs it; from then on the API's copy is the truth,
// so a client sees its own PUT, DELETE and POST. The state is the user's,
// shared by every app the user authorized, as on Spotify: tests that
// write use a user of their own (the fake's CloneUser). One mutex guards
// all users: calls hold it only to copy or change a few slices.
type library struct {
	mu    sync.Mutex
	users map[string]*userLibrary
}

type userLibrary struct {
	saved     []savedItem // tracks, newest first, as Spotify lists them
	albums    []savedItem // saved albums, newest first
	artists   []string    // followed artists, in the order followed
	following []string    // followed playlists (of other users)
	playlists []*playlist // the user's own, newest first
	player    player
}

type savedItem struct {
	ID    string
	Added time.Time
}

type playlist struct {
	ID            string
	Name          string
	Public        bool
	Collaborative bool
	Description   string
	Owner         string
	Snapshot      string
	Items         []playlistEntry
}

// playlistEntry is one item of a playlist: a catalog track, when and by
// whom it was added.
type playlistEntry struct {
	ID      string
	Added   time.Time
	AddedBy string
}

// clone copies p, items included, so the caller may read it unlocked.
func (p *playlist) clone() playlist {
	c := *p
	c.Items = slices.Clone(p.Items)
	return c
}

// seededSpacing is how far apart the configured saved tracks (and
// playlist items) were "added", counting back from the clock when the
// user's library is first read.
const seededSpacing = 24 * time.Hour

// userLocked returns u's library, seeding it; the caller holds l.mu.
func (l *library) userLocked(u config.User, now time.Time) *userLibrary {
	ul := l.users[u.ID]
	if ul != nil {
		return ul
	}
	ul = &userLibrary{artists: slices.Clone(u.FollowedArtists)}
	for i, id := range u.SavedTracks {
		ul.saved = append(ul.saved, savedItem{ID: id, Added: now.Add(-time.Duration(i+1) * seededSpacing).Truncate(time.Second)})
	}
	for _, cp := range u.Playlists {
		p := &playlist{ID: cp.ID, Name: cp.Name, Public: cp.Public, Collaborative: cp.Collaborative,
			Owner: u.ID, Snapshot: snapshotOf(cp.ID)}
		for i, id := range cp.Tracks {
			added := now.Add(-time.Duration(len(cp.Tracks)-i) * seededSpacing).Truncate(time.Second)
			p.Items = append(p.Items, playlistEntry{ID: id, Added: added, AddedBy: u.ID})
		}
		ul.playlists = append(ul.playlists, p)
	}
	ul.player.seed(u)
	l.users[u.ID] = ul
	return ul
}

// with runs fn on u's library under the lock.
func (l *library) with(u config.User, now time.Time, fn func(*userLibrary)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(l.userLocked(u, now))
}

// snapshot returns copies of u's saved tracks and playlists.
func (l *library) snapshot(u config.User, now time.Time) (saved []savedItem, lists []playlist) {
	l.with(u, now, func(ul *userLibrary) {
		saved = slices.Clone(ul.saved)
		for _, p := range ul.playlists {
			lists = append(lists, p.clone())
		}
	})
	return saved, lists
}

// forget drops a user's state.
func (l *library) forget(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.users, id)
}

// saveItems adds the ids not yet in list to its front, in the order given
// (so the first id ends up newest, as one Spotify request stamps them
// alike). Saving a saved item keeps its original date.
func saveItems(list []savedItem, ids []string, now time.Time) []savedItem {
	var fresh []savedItem
	for _, id := range ids {
		if !slices.ContainsFunc(list, func(s savedItem) bool { return s.ID == id }) &&
			!slices.ContainsFunc(fresh, func(s savedItem) bool { return s.ID == id }) {
			fresh = append(fresh, savedItem{ID: id, Added: now.Truncate(time.Second)})
		}
	}
	return append(fresh, list...)
}

// removeItems drops ids from list; ids not in it are ignored, as Spotify
// does.
func removeItems(list []savedItem, ids []string) []savedItem {
	return slices.DeleteFunc(slices.Clone(list), func(s savedItem) bool { return slices.Contains(ids, s.ID) })
}

// addIDs appends the ids not yet in list; removeIDs drops them.
func addIDs(list, ids []string) []string {
	for _, id := range ids {
		if !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	return list
}

func removeIDs(list, ids []string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(id string) bool { return slices.Contains(ids, id) })
}

// save and remove change u's saved tracks.
func (l *library) save(u config.User, now time.Time, ids []string) {
	l.with(u, now, func(ul *userLibrary) { ul.saved = saveItems(ul.saved, ids, now) })
}

func (l *library) remove(u config.User, now time.Time, ids []string) {
	l.with(u, now, func(ul *userLibrary) { ul.saved = removeItems(ul.saved, ids) })
}

// create adds a new playlist at the top of u's list.
func (l *library) create(u config.User, now time.Time, p playlist) playlist {
	p.ID = randomID()
	p.Snapshot = randomSnapshot()
	p.Owner = u.ID
	var out playlist
	l.with(u, now, func(ul *userLibrary) {
		ul.playlists = append([]*playlist{&p}, ul.playlists...)
		out = p.clone()
	})
	return out
}

// playlist finds a playlist by id among every user's: those the API has
// seen first (they may have created it), then the backend's users.
func (l *library) playlist(users []config.User, now time.Time, id string) (playlist, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, u := range users {
		for _, p := range l.userLocked(u, now).playlists {
			if p.ID == id {
				return p.clone(), true
			}
		}
	}
	return playlist{}, false
}

// editPlaylist runs fn on the owner's playlist id under the lock; a
// change gives the playlist a new snapshot id, which is returned.
func (l *library) editPlaylist(owner config.User, now time.Time, id string, fn func(*playlist) *failure) (string, *failure) {
	var snap string
	var f *failure
	l.with(owner, now, func(ul *userLibrary) {
		for _, p := range ul.playlists {
			if p.ID == id {
				if f = fn(p); f == nil {
					p.Snapshot = randomSnapshot()
					snap = p.Snapshot
				}
				return
			}
		}
	})
	return snap, f
}

func randomID() string {
	var b [22]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	for i := range b {
		b[i] = base62[int(b[i])%len(base62)]
	}
	return string(b[:])
}

// Spotify's snapshot ids are opaque base64 strings of 32 characters.
func randomSnapshot() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func snapshotOf(id string) string {
	sum := sha256.Sum256([]byte("snapshot\x00" + id))
	return base64.StdEncoding.EncodeToString(sum[:24])
}
