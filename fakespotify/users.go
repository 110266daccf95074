package fakespotify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// CloneUser registers a copy of a user (by id) under a fresh id, so that
// a test or scenario that writes to a user's library, playlists or player
// touches nobody else's: the Web API keeps that state per user, shared by
// every app the user authorized, as Spotify does. The clone has the
// template's profile, password, library and devices; its playlists get
// fresh ids (a playlist has one owner), and its e-mail a +tag so that the
// login form tells the two apart.
func (f *Fake) CloneUser(from string) (config.User, error) {
	tmpl, ok := f.user(from)
	if !ok || tmpl.ID != from {
		return config.User{}, fmt.Errorf("no user with id %q", from)
	}
	tag := randomHex(3)
	u := *tmpl
	u.ID = tmpl.ID + "-" + tag
	if local, domain, ok := strings.Cut(tmpl.Email, "@"); ok {
		u.Email = local + "+" + tag + "@" + domain
	}
	u.Playlists = make([]config.Playlist, len(tmpl.Playlists))
	for i, p := range tmpl.Playlists {
		p.ID = randomHex(11) // 22 characters, all base62 like Spotify's ids
		p.Tracks = append([]string(nil), p.Tracks...)
		u.Playlists[i] = p
	}
	u.Devices = append([]config.Device(nil), tmpl.Devices...)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, taken := f.users[u.ID]; taken {
		return config.User{}, fmt.Errorf("user id %q is already taken", u.ID)
	}
	f.users[u.ID] = &u
	if u.Email != "" {
		f.users[strings.ToLower(u.Email)] = &u
	}
	f.clonedUsers[u.ID] = true
	return u, nil
}

// DeleteUser removes a user CloneUser made, with the state the Web API
// kept for it; the configured users stay. Tokens issued to the user stop
// working (a token whose user is gone is an invalid token).
func (f *Fake) DeleteUser(id string) error {
	f.mu.Lock()
	u, ok := f.users[id]
	switch {
	case !ok || u.ID != id:
		f.mu.Unlock()
		return fmt.Errorf("no user with id %q", id)
	case !f.clonedUsers[id]:
		f.mu.Unlock()
		return errors.New("only users made by CloneUser can be deleted; " + id + " is in the configuration")
	}
	delete(f.users, id)
	delete(f.users, strings.ToLower(u.Email))
	delete(f.clonedUsers, id)
	f.mu.Unlock()
	f.api.ForgetUser(id)
	return nil
}
