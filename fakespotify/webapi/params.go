package webapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxBody caps what the fake reads of a request body; Spotify's bodies
// here are a few ids or a playlist name.
const maxBody = 1 << 20

// intParam reads an integer query parameter in [lo, hi], or def when it is
// absent. A bad value answers 400 "Invalid <name>" ("Invalid limit" is
// [observed-quote]; the others follow its pattern [inferred]) and returns
// ok false. [inferred] An empty value counts as absent.
func (c *call) intParam(name string, def, lo, hi int) (int, bool) {
	s := c.query.Get(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		c.fail(http.StatusBadRequest, "Invalid "+name)
		return 0, false
	}
	return n, true
}

// limitOffset reads the usual limit (1..maxLimit) and offset (0..maxOffset).
func (c *call) limitOffset(def, maxLimit, maxOffset int) (limit, offset int, ok bool) {
	if limit, ok = c.intParam("limit", def, 1, maxLimit); !ok {
		return 0, 0, false
	}
	if offset, ok = c.intParam("offset", 0, 0, maxOffset); !ok {
		return 0, 0, false
	}
	return limit, offset, true
}

// pageOf slices all into one page and wraps it in a paging object whose
// links point back at path on the fake, with extra as further query
// parameters.
func pageOf[T any](c *call, path, extra string, all []T, limit, offset int) paging {
	link := func(off int) *string {
		s := c.base + path + "?" + extra
		if extra != "" {
			s += "&"
		}
		s += "offset=" + strconv.Itoa(off) + "&limit=" + strconv.Itoa(limit)
		return &s
	}
	items := []T{}
	if offset < len(all) {
		items = all[offset:min(len(all), offset+limit)]
	}
	p := paging{Href: *link(offset), Items: items, Limit: limit, Offset: offset, Total: len(all)}
	if offset+limit < len(all) {
		p.Next = link(offset + limit)
	}
	if offset > 0 {
		p.Previous = link(max(0, offset-limit))
	}
	return p
}

// readJSON decodes a JSON request body into v and reports whether the
// handler may go on. A body that is not JSON is 400 "Error parsing JSON."
// ([observed-quote], web-api#360). An empty body, or valid JSON of another
// shape (a bare array of ids, a number for a name), leaves the fields it
// cannot fill zero, so that the handler names the missing field.
func (c *call) readJSON(v any) bool {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxBody))
	if len(bytes.TrimSpace(body)) == 0 && err == nil {
		return true
	}
	if err != nil || !json.Valid(body) {
		c.fail(http.StatusBadRequest, "Error parsing JSON.")
		return false
	}
	_ = json.Unmarshal(body, v) // a type mismatch leaves that field zero
	return true
}

// trackIDs reads the ids of PUT and DELETE /v1/me/tracks: the ids query
// parameter (comma-separated) or else a JSON body {"ids":[...]}. A missing
// list is 400 "Missing required field: ids" ([observed-quote] 2024-10, seen
// when a client sent a bare JSON array); more than 50 is 400 "too many ids
// requested" (the batch endpoints' words, spotify-web-api-node#356); a
// malformed id is 400 "Invalid base62 id"
// ([observed-quote] from batch endpoints) and a well-formed id the catalog
// lacks 400 "invalid id" [inferred].
func (a *API) trackIDs(c *call) ([]string, bool) {
	var ids []string
	if q := c.query.Get("ids"); q != "" {
		for _, id := range strings.Split(q, ",") {
			ids = append(ids, strings.TrimSpace(id))
		}
	} else {
		var body struct {
			IDs []string `json:"ids"`
		}
		if !c.readJSON(&body) {
			return nil, false
		}
		ids = body.IDs
	}
	if len(ids) == 0 {
		c.fail(http.StatusBadRequest, "Missing required field: ids")
		return nil, false
	}
	if len(ids) > 50 {
		c.fail(http.StatusBadRequest, msgTooManyIDs)
		return nil, false
	}
	idx := a.index()
	for _, id := range ids {
		if !validID(id) {
			c.fail(http.StatusBadRequest, "Invalid base62 id")
			return nil, false
		}
		if idx.tracks[id] == nil {
			c.fail(http.StatusBadRequest, "invalid id")
			return nil, false
		}
	}
	return ids, true
}

// msgTooManyIDs is the batch endpoints' 400 for a list over their limit,
// lower case as captured: `{ error: { status: 400, message: 'too many ids
// requested' } }` (thelinmichael/spotify-web-api-node#356, GET /v1/tracks).
const msgTooManyIDs = "too many ids requested"

// idList reads a comma-separated ids query parameter of a batch endpoint
// (GET /v1/tracks, /v1/audio-features): at most max ids; an id of the
// wrong shape, an empty one (a trailing comma, web-api#1572) or no ids at
// all is 400 "invalid id" ([observed] on /v1/tracks/{id}; [inferred] for
// the batch).
func (c *call) idList(max int) ([]string, bool) {
	q := c.query.Get("ids")
	if q == "" {
		c.fail(http.StatusBadRequest, "invalid id")
		return nil, false
	}
	ids := strings.Split(q, ",")
	if len(ids) > max {
		c.fail(http.StatusBadRequest, msgTooManyIDs)
		return nil, false
	}
	for _, id := range ids {
		if !validID(id) {
			c.fail(http.StatusBadRequest, "invalid id")
			return nil, false
		}
	}
	return ids, true
}
