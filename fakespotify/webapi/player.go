package webapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// player is one user's playback on their simulated devices
// (config.User.Devices). It moves only when a client commands it, and
// its progress runs on the app's clock, so answers are deterministic.
type player struct {
	device  string // the active device's id; "" when none is active
	item    string // the catalog track loaded; "" when nothing is
	context string // the context URI the item plays in, if any
	playing bool
	// position is the progress in ms at since; while playing, progress
	// grows with the clock up to the track's end.
	position int
	since    time.Time
}

// seed starts from the configuration: the device marked active holds a
// paused session with nothing loaded.
func (p *player) seed(u config.User) {
	for _, d := range u.Devices {
		if d.Active {
			p.device = d.ID
		}
	}
}

// progress is where the item is at now, and whether it still plays
// ([inferred] the fake plays one item and stops at its end).
func (p *player) progress(now time.Time, duration int) (int, bool) {
	if !p.playing {
		return p.position, false
	}
	pos := p.position + int(now.Sub(p.since)/time.Millisecond)
	if pos >= duration {
		return duration, false
	}
	return pos, true
}

type deviceObject struct {
	ID               *string `json:"id"`
	IsActive         bool    `json:"is_active"`
	IsPrivateSession bool    `json:"is_private_session"`
	IsRestricted     bool    `json:"is_restricted"`
	Name             string  `json:"name"`
	SupportsVolume   bool    `json:"supports_volume"`
	Type             string  `json:"type"`
	VolumePercent    *int    `json:"volume_percent"`
}

type contextObject struct {
	ExternalURLs externalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

type actionsObject struct {
	Disallows map[string]bool `json:"disallows"`
}

// playbackObject is GET /v1/me/player; currentlyPlayingObject is
// GET /v1/me/player/currently-playing, the same without the device and
// the repeat and shuffle states.
type playbackObject struct {
	Actions              actionsObject  `json:"actions"`
	Context              *contextObject `json:"context"`
	CurrentlyPlayingType string         `json:"currently_playing_type"`
	Device               deviceObject   `json:"device"`
	IsPlaying            bool           `json:"is_playing"`
	Item                 *trackObject   `json:"item"`
	ProgressMS           *int           `json:"progress_ms"`
	RepeatState          string         `json:"repeat_state"`
	ShuffleState         bool           `json:"shuffle_state"`
	SmartShuffle         bool           `json:"smart_shuffle"`
	Timestamp            int64          `json:"timestamp"`
}

type currentlyPlayingObject struct {
	Actions              actionsObject  `json:"actions"`
	Context              *contextObject `json:"context"`
	CurrentlyPlayingType string         `json:"currently_playing_type"`
	IsPlaying            bool           `json:"is_playing"`
	Item                 *trackObject   `json:"item"`
	ProgressMS           *int           `json:"progress_ms"`
	Timestamp            int64          `json:"timestamp"`
}

func (c *call) device(d config.Device, active string) deviceObject {
	id, vol := d.ID, d.VolumePercent
	typ := d.Type
	if typ == "" {
		typ = "Computer"
	}
	return deviceObject{ID: &id, IsActive: d.ID == active, IsRestricted: d.Restricted, Name: d.Name,
		SupportsVolume: !d.Restricted, Type: typ, VolumePercent: &vol}
}

// playerView is a consistent copy of the user's player and what it
// plays, taken under the library's lock.
type playerView struct {
	p        player
	track    *config.Track
	progress int
	playing  bool
}

func (a *API) viewPlayer(c *call, idx *catalogIndex) playerView {
	var v playerView
	a.library.with(c.user, c.now, func(ul *userLibrary) { v.p = ul.player })
	if v.p.item != "" {
		v.track = idx.tracks[v.p.item]
	}
	if v.track != nil {
		v.progress, v.playing = v.p.progress(c.now, v.track.DurationMS)
	}
	return v
}

func (c *call) context(uri string) *contextObject {
	kind, id, ok := splitURI(uri)
	if !ok {
		return nil
	}
	return &contextObject{ExternalURLs: openURL(kind, id), Href: c.base + "/v1/" + kind + "s/" + id, Type: kind, URI: uri}
}

// disallowed are the actions Spotify says a client may not take now.
func disallowed(playing bool) actionsObject {
	if playing {
		return actionsObject{Disallows: map[string]bool{"resuming": true}}
	}
	return actionsObject{Disallows: map[string]bool{"pausing": true}}
}

// playbackState is GET /v1/me/player: 204 with no body when no device is
// active (Spotify's reference: "Playback not available or active").
func (a *API) playbackState(c *call) {
	idx := a.index()
	v := a.viewPlayer(c, idx)
	d, ok := findDevice(c.user, v.p.device)
	if !ok {
		writeBody(c.w, http.StatusNoContent, "", nil)
		return
	}
	o := playbackObject{Actions: disallowed(v.playing), CurrentlyPlayingType: "track", Device: c.device(d, v.p.device),
		IsPlaying: v.playing, RepeatState: "off", Timestamp: v.p.since.UnixMilli(), Context: c.context(v.p.context)}
	if v.track != nil {
		t := c.track(idx, v.track)
		o.Item, o.ProgressMS = &t, &v.progress
	} else {
		o.CurrentlyPlayingType = "unknown"
	}
	c.json(http.StatusOK, o)
}

// currentlyPlaying is GET /v1/me/player/currently-playing: 204 when
// nothing is loaded on an active device.
func (a *API) currentlyPlaying(c *call) {
	idx := a.index()
	v := a.viewPlayer(c, idx)
	if _, ok := findDevice(c.user, v.p.device); !ok || v.track == nil {
		writeBody(c.w, http.StatusNoContent, "", nil)
		return
	}
	t := c.track(idx, v.track)
	c.json(http.StatusOK, currentlyPlayingObject{Actions: disallowed(v.playing), Context: c.context(v.p.context),
		CurrentlyPlayingType: "track", IsPlaying: v.playing, Item: &t, ProgressMS: &v.progress, Timestamp: v.p.since.UnixMilli()})
}

// devices is GET /v1/me/player/devices.
func (a *API) devices(c *call) {
	var active string
	a.library.with(c.user, c.now, func(ul *userLibrary) { active = ul.player.device })
	out := make([]deviceObject, 0, len(c.user.Devices))
	for _, d := range c.user.Devices {
		out = append(out, c.device(d, active))
	}
	c.json(http.StatusOK, struct {
		Devices []deviceObject `json:"devices"`
	}{out})
}

func findDevice(u config.User, id string) (config.Device, bool) {
	for _, d := range u.Devices {
		if id != "" && d.ID == id {
			return d, true
		}
	}
	return config.Device{}, false
}

// premium is the Premium rule of the player's commands (§5.1): a user
// without Premium gets 403 PREMIUM_REQUIRED. [inferred] It is checked
// before the device, as it holds whatever the devices.
func premium(c *call) *failure {
	if c.user.Product == "premium" {
		return nil
	}
	return &failure{Status: http.StatusForbidden, Message: wire.MsgPremiumRequired, Reason: wire.ReasonPremiumRequired}
}

// target resolves the device_id parameter of a command: an unknown id is
// 404 "Device not found" (fondberg/spotcast#378, with no reason); without
// one, the active device, or 404 NO_ACTIVE_DEVICE.
func target(c *call, active string) (string, *failure) {
	if id := c.query.Get("device_id"); id != "" {
		if _, ok := findDevice(c.user, id); !ok {
			return "", &failure{Status: http.StatusNotFound, Message: wire.MsgDeviceNotFound}
		}
		return id, nil
	}
	if _, ok := findDevice(c.user, active); !ok {
		return "", &failure{Status: http.StatusNotFound, Message: wire.MsgNoActiveDevice, Reason: wire.ReasonNoActiveDevice}
	}
	return active, nil
}

type playBody struct {
	ContextURI *string  `json:"context_uri"`
	URIs       []string `json:"uris"`
	Offset     *struct {
		Position *int    `json:"position"`
		URI      *string `json:"uri"`
	} `json:"offset"`
	PositionMS *int `json:"position_ms"`
}

// play is PUT /v1/me/player/play: Premium, then the device, then the
// body. With uris or a context_uri it loads that (offset picks the item);
// without, it resumes what is loaded. 204 on success. [inferred] A body
// naming nothing the catalog has is 400 "Invalid context uri" or
// "Invalid track uri: <uri>"; resuming with nothing loaded loads the
// user's most recently played track (Spotify resumes the last session).
func (a *API) play(c *call) {
	if f := premium(c); f != nil {
		f.write(c.w)
		return
	}
	var body playBody
	if !c.readJSON(&body) {
		return
	}
	idx := a.index()
	var queue []string
	context := ""
	switch {
	case len(body.URIs) > 0:
		ids, ok := a.trackURIs(c, body.URIs)
		if !ok {
			return
		}
		queue = ids
	case body.ContextURI != nil:
		context = *body.ContextURI
		queue = a.contextTracks(c, idx, context)
		if len(queue) == 0 {
			c.fail(http.StatusBadRequest, "Invalid context uri")
			return
		}
	}
	start := 0
	if o := body.Offset; o != nil && len(queue) > 0 {
		switch {
		case o.Position != nil && *o.Position >= 0 && *o.Position < len(queue):
			start = *o.Position
		case o.URI != nil:
			for i, id := range queue {
				if "spotify:track:"+id == *o.URI {
					start = i
				}
			}
		}
	}
	a.command(c, func(p *player) {
		switch {
		case len(queue) > 0:
			p.item, p.context, p.position = queue[start], context, 0
		case p.item == "":
			p.item, p.context, p.position = a.lastPlayed(c, idx), "", 0
		default:
			if t := idx.tracks[p.item]; t != nil {
				p.position, _ = p.progress(c.now, t.DurationMS)
			}
		}
		if body.PositionMS != nil && *body.PositionMS >= 0 {
			p.position = *body.PositionMS
		}
		p.playing, p.since = true, c.now
	})
}

// command runs a player command on the user's player once the device is
// resolved (target), and answers 204, or the device's refusal.
func (a *API) command(c *call, fn func(p *player)) {
	var f *failure
	a.library.with(c.user, c.now, func(ul *userLibrary) {
		p := &ul.player
		dev, tf := target(c, p.device)
		if tf != nil {
			f = tf
			return
		}
		p.device = dev
		fn(p)
	})
	if f != nil {
		f.write(c.w)
		return
	}
	writeBody(c.w, http.StatusNoContent, "", nil)
}

// lastPlayed is what a resume with nothing loaded plays.
func (a *API) lastPlayed(c *call, idx *catalogIndex) string {
	for _, id := range c.user.RecentlyPlayed {
		if idx.tracks[id] != nil {
			return id
		}
	}
	if len(idx.src.Tracks) > 0 {
		return idx.src.Tracks[0].ID
	}
	return ""
}

// contextTracks are the tracks a context URI plays: an album's, a
// playlist's (one the caller may see), an artist's by popularity.
func (a *API) contextTracks(c *call, idx *catalogIndex, uri string) []string {
	kind, id, ok := splitURI(uri)
	if !ok {
		return nil
	}
	switch kind {
	case "album":
		for _, al := range idx.albums {
			if al.ID == id {
				return al.Tracks
			}
		}
	case "artist":
		var out []string
		for _, t := range idx.src.Tracks {
			if strings.Contains(","+strings.Join(t.Artists, ",")+",", ","+id+",") {
				out = append(out, t.ID)
			}
		}
		return out
	case "playlist":
		p, ok := a.library.playlist(a.b.Users(), c.now, id)
		if !ok || !c.visible(p) {
			return nil
		}
		out := make([]string, 0, len(p.Items))
		for _, e := range p.Items {
			out = append(out, e.ID)
		}
		return out
	}
	return nil
}

// pause is PUT /v1/me/player/pause: Premium, then the device. 204; the
// progress stays where it was. [inferred] Pausing what is already paused
// answers 204 too: the only captured refusal of pause is the missing
// device.
func (a *API) pause(c *call) {
	if f := premium(c); f != nil {
		f.write(c.w)
		return
	}
	idx := a.index()
	a.command(c, func(p *player) {
		if t := idx.tracks[p.item]; t != nil && p.playing {
			p.position, _ = p.progress(c.now, t.DurationMS)
		}
		p.playing, p.since = false, c.now
	})
}

// transferPlayback is PUT /v1/me/player with {"device_ids":[id],
// "play":bool}: the session moves to the device and keeps its item and
// progress; play true starts it, false or absent keeps its state.
// No device_ids is 400 "Required field device_ids missing"
// (thelinmichael/spotify-web-api-node#400); more than one is 400
// [inferred "Only one device_id is supported"], as Spotify's reference
// says only one is.
func (a *API) transferPlayback(c *call) {
	if f := premium(c); f != nil {
		f.write(c.w)
		return
	}
	var body struct {
		DeviceIDs []string `json:"device_ids"`
		Play      *bool    `json:"play"`
	}
	if !c.readJSON(&body) {
		return
	}
	switch {
	case len(body.DeviceIDs) == 0:
		c.fail(http.StatusBadRequest, wire.MsgNoDeviceIDs)
		return
	case len(body.DeviceIDs) > 1:
		c.fail(http.StatusBadRequest, "Only one device_id is supported")
		return
	}
	if _, ok := findDevice(c.user, body.DeviceIDs[0]); !ok {
		c.fail(http.StatusNotFound, wire.MsgDeviceNotFound)
		return
	}
	idx := a.index()
	a.library.with(c.user, c.now, func(ul *userLibrary) {
		p := &ul.player
		if t := idx.tracks[p.item]; t != nil {
			p.position, p.playing = p.progress(c.now, t.DurationMS)
		}
		p.device, p.since = body.DeviceIDs[0], c.now
		if body.Play != nil && *body.Play {
			p.playing = p.item != ""
		}
	})
	writeBody(c.w, http.StatusNoContent, "", nil)
}

// splitURI splits spotify:<kind>:<id>.
func splitURI(uri string) (kind, id string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "spotify:")
	if !ok {
		return "", "", false
	}
	kind, id, ok = strings.Cut(rest, ":")
	return kind, id, ok && id != "" && !strings.Contains(id, ":")
}
