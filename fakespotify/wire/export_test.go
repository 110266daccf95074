package wire

// ParseTokenMembers is the general reading behind ParseTokenResponse, for
// the spec that holds its one-pass reading to it.
var ParseTokenMembers = parseTokenMembers
