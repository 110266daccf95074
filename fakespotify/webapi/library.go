package webapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// library is the per-user state the Web API changes: saved tracks and
// playlists. A user's entry is copied from Backend.User the first time
// the API needs it; from then on the API's copy is the truth, so a client
// sees its own PUT, DELETE and POST. One mutex guards all users: calls
// hold it only to copy a few slices.
type library struct {
	mu    sync.Mutex
	users map[string]*userLibrary
}

type userLibrary struct {
	saved     []savedTrack // newest first, as Spotify lists them
	playlists []playlist   // newest first
}

type savedTrack struct {
	ID    string
	Added time.Time
}

type playlist struct {
	config.Playlist
	Description string
	Snapshot    string
}

// seededSpacing is how far apart the configured saved tracks were "added",
// counting back from the clock when the user's library is first read.
const seededSpacing = 24 * time.Hour

// userLocked returns u's library, seeding it; the caller holds l.mu.
func (l *library) userLocked(u config.User, now time.Time) *userLibrary {
	ul := l.users[u.ID]
	if ul != nil {
		return ul
	}
	ul = &userLibrary{}
	for i, id := range u.SavedTracks {
		ul.saved = append(ul.saved, savedTrack{ID: id, Added: now.Add(-time.Duration(i+1) * seededSpacing).Truncate(time.Second)})
	}
	for _, p := range u.Playlists {
		ul.playlists = append(ul.playlists, playlist{Playlist: p, Snapshot: snapshotOf(p.ID)})
	}
	l.users[u.ID] = ul
	return ul
}

// snapshot returns copies of u's saved tracks and playlists.
func (l *library) snapshot(u config.User, now time.Time) ([]savedTrack, []playlist) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ul := l.userLocked(u, now)
	return append([]savedTrack(nil), ul.saved...), append([]playlist(nil), ul.playlists...)
}

// save adds the ids not yet saved to the front, in the order given (so
// the first id ends up newest, as one Spotify request stamps them alike).
// Saving a saved track keeps its original date.
func (l *library) save(u config.User, now time.Time, ids []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ul := l.userLocked(u, now)
	have := make(map[string]bool, len(ul.saved))
	for _, s := range ul.saved {
		have[s.ID] = true
	}
	var fresh []savedTrack
	for _, id := range ids {
		if !have[id] {
			have[id] = true
			fresh = append(fresh, savedTrack{ID: id, Added: now.Truncate(time.Second)})
		}
	}
	ul.saved = append(fresh, ul.saved...)
}

// remove drops ids from u's saved tracks; ids not saved are ignored, as
// Spotify does.
func (l *library) remove(u config.User, now time.Time, ids []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ul := l.userLocked(u, now)
	drop := make(map[string]bool, len(ids))
	for _, id := range ids {
		drop[id] = true
	}
	kept := ul.saved[:0:0]
	for _, s := range ul.saved {
		if !drop[s.ID] {
			kept = append(kept, s)
		}
	}
	ul.saved = kept
}

// create adds a new playlist at the top of u's list.
func (l *library) create(u config.User, now time.Time, p playlist) playlist {
	p.ID = randomID()
	p.Snapshot = randomSnapshot()
	l.mu.Lock()
	defer l.mu.Unlock()
	ul := l.userLocked(u, now)
	ul.playlists = append([]playlist{p}, ul.playlists...)
	return p
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
