package webapi

import (
	"net/http"
	"strconv"
)

// writeUser answers with the private user object /v1/me returns. It is
// the busiest answer of the Web API, and encoding it by reflection and
// then re-indenting was half of the handler's time, so it is written
// pretty directly — byte for byte what writeJSON writes (spec'd). Values
// it does not write by hand (a string needing an escape, images) go
// through writeJSON.
func writeUser(w http.ResponseWriter, o *privateUser) {
	e := encoders.Get().(*encoder)
	defer e.release()
	body, ok := o.appendPretty(e.pretty[:0])
	e.pretty = body[:0]
	if !ok {
		writeJSON(w, http.StatusOK, o)
		return
	}
	writeBody(w, http.StatusOK, contentJSON, body)
}

// appendPretty appends o as Pretty(json encoding of o) reads, or reports
// false when o holds something it leaves to encoding/json.
func (o *privateUser) appendPretty(b []byte) ([]byte, bool) {
	if len(o.Images) != 0 || o.Images == nil || (o.Followers != nil && o.Followers.Href != nil) {
		return b, false
	}
	for _, s := range [...]string{o.Country, o.Email, o.ExternalURLs.Spotify, o.Href, o.ID, o.Product, o.Type, o.URI} {
		if !plainJSON(s) {
			return b, false
		}
	}
	if o.DisplayName != nil && !plainJSON(*o.DisplayName) {
		return b, false
	}
	b = append(b, "{\n"...)
	if o.Country != "" {
		b = appendMember(b, "country", o.Country)
	}
	b = append(b, `  "display_name" : `...)
	if o.DisplayName == nil {
		b = append(b, "null,\n"...)
	} else {
		b = append(b, '"')
		b = append(b, *o.DisplayName...)
		b = append(b, "\",\n"...)
	}
	if o.Email != "" {
		b = appendMember(b, "email", o.Email)
	}
	if x := o.ExplicitContent; x != nil {
		b = append(b, "  \"explicit_content\" : {\n    \"filter_enabled\" : "...)
		b = strconv.AppendBool(b, x.FilterEnabled)
		b = append(b, ",\n    \"filter_locked\" : "...)
		b = strconv.AppendBool(b, x.FilterLocked)
		b = append(b, "\n  },\n"...)
	}
	b = append(b, "  \"external_urls\" : {\n    \"spotify\" : \""...)
	b = append(b, o.ExternalURLs.Spotify...)
	b = append(b, "\"\n  },\n"...)
	if f := o.Followers; f != nil {
		b = append(b, "  \"followers\" : {\n    \"href\" : null,\n    \"total\" : "...)
		b = strconv.AppendInt(b, int64(f.Total), 10)
		b = append(b, "\n  },\n"...)
	}
	b = appendMember(b, "href", o.Href)
	b = appendMember(b, "id", o.ID)
	b = append(b, "  \"images\" : [ ],\n"...)
	if o.Product != "" {
		b = appendMember(b, "product", o.Product)
	}
	b = appendMember(b, "type", o.Type)
	b = append(b, `  "uri" : "`...)
	b = append(b, o.URI...)
	return append(b, "\"\n}"...), true
}

// appendMember appends a string member of the top-level object and the
// comma after it; v is plain (plainJSON).
func appendMember(b []byte, name, v string) []byte {
	b = append(b, `  "`...)
	b = append(b, name...)
	b = append(b, `" : "`...)
	b = append(b, v...)
	return append(b, "\",\n"...)
}

// plainJSON reports whether writeJSON's encoder writes s between quotes
// as it is: printable ASCII but the quote and the backslash (it is told
// not to escape HTML characters).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
