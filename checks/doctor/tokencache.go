package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/spotcheck/spotcheck/checks"
)

// CacheFormat is the kind of token cache a file holds.
type CacheFormat string

const (
	// FormatSpotipy is spotipy's .cache: {"access_token", "token_type",
	// "expires_in", "scope", "expires_at" (Unix seconds), "refresh_token"}.
	FormatSpotipy CacheFormat = "spotipy"
	// FormatSpotcheck is spotcheck's own cache, which also records the
	// client id and when the user authorized (for the 6-month lifetime):
	//
	//	{"spotcheck_token_cache": 1, "client_id": "…", "access_token": "…",
	//	 "token_type": "Bearer", "scope": "user-read-email",
	//	 "expires_at": "2026-10-01T12:00:00Z", "refresh_token": "…",
	//	 "authorized_at": "2026-04-01T10:00:00Z"}
	FormatSpotcheck CacheFormat = "spotcheck"
	// FormatOAuth2 is golang.org/x/oauth2's Token as JSON (zmb3/spotify
	// examples save it): {"access_token", "token_type", "refresh_token",
	// "expiry" (RFC 3339)}.
	FormatOAuth2 CacheFormat = "oauth2"
)

// SpotcheckCacheVersion is the value of "spotcheck_token_cache" this
// version writes and reads.
const SpotcheckCacheVersion = 1

// maxCacheSize bounds what is read: a token cache is a few hundred bytes.
const maxCacheSize = 1 << 20

// TokenCache is a token cache as read. Its String method shows no token.
type TokenCache struct {
	Path         string
	Format       CacheFormat
	ClientID     string // spotcheck format only
	AccessToken  string
	TokenType    string
	Scope        string
	HasScope     bool
	RefreshToken string
	// RefreshField says how the refresh_token field was found: "absent",
	// "null", "empty" or "present".
	RefreshField string
	ExpiresAt    time.Time // zero when the cache does not say
	ExpiresIn    int
	AuthorizedAt time.Time // spotcheck format only

	data   []byte
	fields map[string]json.RawMessage
}

func (tc TokenCache) String() string {
	return fmt.Sprintf("%s token cache %s (scope %q, expires %s)", tc.Format, tc.Path, tc.Scope, tc.ExpiresAt.Format(time.RFC3339))
}

// GoString keeps %#v as safe as %v.
func (tc TokenCache) GoString() string { return tc.String() }

// ReadTokenCache reads and parses a token cache file (a symlink is
// followed). Anything but a regular file is refused before it is read: a
// FIFO would block the open until something writes to it, a device could
// be read forever.
func ReadTokenCache(path string) (*TokenCache, error) {
	f, err := openRegular(path)
	var nr *NotRegularError
	switch {
	case errors.As(err, &nr):
		return nil, &InputError{File: path, Msg: nr.Error() + ": a token cache is a file", Err: err}
	case err != nil:
		return nil, &InputError{File: path, Msg: "cannot read the token cache: " + describeOSError(err), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCacheSize+1))
	if err != nil {
		return nil, &InputError{File: path, Msg: "cannot read the token cache: " + describeOSError(err), Err: err}
	}
	if len(data) > maxCacheSize {
		return nil, &InputError{File: path, Msg: fmt.Sprintf("larger than %d bytes: not a token cache", maxCacheSize)}
	}
	return ParseTokenCache(data, path)
}

// openRegular opens a regular file for reading, and nothing else: the
// open does not wait (O_NONBLOCK, which a regular file ignores) and the
// open file is what is checked, so a path swapped for a FIFO between a
// look and the open cannot block.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = &NotRegularError{Mode: st.Mode()}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// NotRegularError is a path that is not a regular file where one is
// needed.
type NotRegularError struct{ Mode fs.FileMode }

func (e *NotRegularError) Error() string {
	return checks.FileKind(e.Mode) + ", not a regular file"
}

func describeOSError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// cacheField is one top-level field with where it starts.
type cacheField struct {
	raw    json.RawMessage
	off    int64 // where the value starts
	keyOff int64 // where the key's opening quote is
}

// ParseTokenCache parses a token cache. name is used in errors, which
// name the line, column and field but never quote a value.
func ParseTokenCache(data []byte, name string) (*TokenCache, error) {
	errAt := func(off int64, field, msg string) error {
		line, col := lineCol(data, off)
		return &InputError{File: name, Line: line, Col: col, Field: field, Msg: msg}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &InputError{File: name, Msg: "empty file: not a token cache"}
	}
	if !utf8.Valid(data) {
		return nil, &InputError{File: name, Msg: "not UTF-8 text: not a token cache"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fields := map[string]cacheField{}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(name, data, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errAt(0, "", "a token cache is a JSON object; this is not one")
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, syntaxError(name, data, err)
		}
		key, _ := kt.(string)
		off := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxError(name, data, err)
		}
		if _, dup := fields[key]; dup {
			return nil, errAt(off, key, "appears twice")
		}
		fields[key] = cacheField{raw: raw, off: valueStart(data, off), keyOff: max(off-int64(len(key))-2, 0)}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxError(name, data, err)
	}
	if rest := dec.InputOffset(); len(bytes.TrimSpace(data[rest:])) > 0 {
		return nil, errAt(rest+int64(len(data[rest:])-len(bytes.TrimLeft(data[rest:], " \t\r\n"))), "", "text after the JSON object")
	}

	tc := &TokenCache{Path: name, data: data, fields: map[string]json.RawMessage{}}
	for k, f := range fields {
		tc.fields[k] = f.raw
	}
	_, isSpotcheck := fields["spotcheck_token_cache"]
	_, hasExpiry := fields["expiry"]
	_, hasAccess := fields["access_token"]
	_, hasRefresh := fields["refresh_token"]
	switch {
	case !hasAccess && !hasRefresh:
		return nil, errAt(0, "", "no access_token or refresh_token field: not a spotipy, spotcheck or golang.org/x/oauth2 token cache")
	case isSpotcheck:
		tc.Format = FormatSpotcheck
	case hasExpiry:
		tc.Format = FormatOAuth2
	default:
		tc.Format = FormatSpotipy
	}

	str := func(key string, dst *string) (present, null bool, err error) {
		f, ok := fields[key]
		if !ok {
			return false, false, nil
		}
		if string(f.raw) == "null" {
			return true, true, nil
		}
		if err := json.Unmarshal(f.raw, dst); err != nil {
			return true, false, errAt(f.off, key, "want a string, got "+jsonKind(f.raw))
		}
		return true, false, nil
	}
	if _, _, err := str("access_token", &tc.AccessToken); err != nil {
		return nil, err
	}
	if _, _, err := str("token_type", &tc.TokenType); err != nil {
		return nil, err
	}
	present, null, err := str("scope", &tc.Scope)
	if err != nil {
		return nil, err
	}
	tc.HasScope = present && !null
	present, null, err = str("refresh_token", &tc.RefreshToken)
	if err != nil {
		return nil, err
	}
	switch {
	case !present:
		tc.RefreshField = "absent"
	case null:
		tc.RefreshField = "null"
	case tc.RefreshToken == "":
		tc.RefreshField = "empty"
	default:
		tc.RefreshField = "present"
	}
	if f, ok := fields["expires_in"]; ok && string(f.raw) != "null" {
		n, err := strconv.Atoi(strings.TrimSpace(string(f.raw)))
		if err != nil {
			return nil, errAt(f.off, "expires_in", "want a whole number of seconds, got "+jsonKind(f.raw))
		}
		tc.ExpiresIn = n
	}

	switch tc.Format {
	case FormatSpotipy:
		if f, ok := fields["expires_at"]; ok && string(f.raw) != "null" {
			sec, err := strconv.ParseFloat(strings.TrimSpace(string(f.raw)), 64)
			if err != nil || sec < 0 || sec > 1e11 {
				return nil, errAt(f.off, "expires_at", "want Unix seconds (a number like 1767225600), got "+jsonKind(f.raw))
			}
			tc.ExpiresAt = time.Unix(int64(sec), 0)
		}
	case FormatOAuth2:
		if err := timeField(fields, "expiry", &tc.ExpiresAt, errAt); err != nil {
			return nil, err
		}
	case FormatSpotcheck:
		f := fields["spotcheck_token_cache"]
		if strings.TrimSpace(string(f.raw)) != strconv.Itoa(SpotcheckCacheVersion) {
			return nil, errAt(f.off, "spotcheck_token_cache", fmt.Sprintf("version %s is not %d, the one this spotcheck reads", clip(string(f.raw), 20), SpotcheckCacheVersion))
		}
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			switch k {
			case "spotcheck_token_cache", "client_id", "access_token", "token_type", "scope", "expires_at", "expires_in", "refresh_token", "authorized_at", "refreshed_at":
			default:
				return nil, errAt(fields[k].keyOff, k, "unknown field (the spotcheck format has client_id, access_token, token_type, scope, expires_at, refresh_token, authorized_at, refreshed_at)")
			}
		}
		if _, _, err := str("client_id", &tc.ClientID); err != nil {
			return nil, err
		}
		if err := timeField(fields, "expires_at", &tc.ExpiresAt, errAt); err != nil {
			return nil, err
		}
		if err := timeField(fields, "authorized_at", &tc.AuthorizedAt, errAt); err != nil {
			return nil, err
		}
		var ignored time.Time
		if err := timeField(fields, "refreshed_at", &ignored, errAt); err != nil {
			return nil, err
		}
	}
	return tc, nil
}

func timeField(fields map[string]cacheField, key string, dst *time.Time, errAt func(int64, string, string) error) error {
	f, ok := fields[key]
	if !ok || string(f.raw) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(f.raw, &s); err != nil {
		return errAt(f.off, key, "want an RFC 3339 time such as \"2026-04-01T10:00:00Z\", got "+jsonKind(f.raw))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return errAt(f.off, key, "want an RFC 3339 time such as \"2026-04-01T10:00:00Z\"")
	}
	*dst = t
	return nil
}

// jsonKind names a JSON value's type without quoting it (it may be a
// token).
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// syntaxError turns a decoder error into file:line:col. The stream
// decoder's offsets are relative to what it buffered, so the whole input
// is checked again for the position of the first bad byte. The message
// quotes at most one character of the input.
func syntaxError(name string, data []byte, err error) error {
	var v any
	uerr := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	msg, off := "not valid JSON", int64(len(data))
	switch {
	case errors.As(uerr, &se) && se.Offset >= int64(len(data)) && strings.Contains(se.Error(), "unexpected end"):
		msg = "not valid JSON: the file ends in the middle of the object"
	case errors.As(uerr, &se):
		off, msg = se.Offset-1, "not valid JSON: "+se.Error()
	case errors.As(err, &se):
		msg = "not valid JSON: " + se.Error()
	}
	line, col := lineCol(data, off)
	return &InputError{File: name, Line: line, Col: col, Msg: msg, Err: err}
}

// valueStart skips the colon and blanks after a key to where its value
// starts.
func valueStart(data []byte, off int64) int64 {
	for off < int64(len(data)) && (data[off] == ':' || data[off] == ' ' || data[off] == '\t' || data[off] == '\n' || data[off] == '\r') {
		off++
	}
	return off
}

// lineCol converts a byte offset to a 1-based line and column (in runes).
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

// withRefreshToken returns the cache's bytes with refresh_token replaced,
// every other field kept as it was.
func (tc *TokenCache) withRefreshToken(token string) ([]byte, error) {
	m := make(map[string]json.RawMessage, len(tc.fields)+1)
	for k, v := range tc.fields {
		m[k] = v
	}
	b, _ := json.Marshal(token)
	m["refresh_token"] = b
	if tc.Format == FormatSpotcheck {
		now, _ := json.Marshal(time.Now().UTC().Format(time.RFC3339))
		m["refreshed_at"] = now
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// saveRefreshToken writes a rotated refresh token back, atomically and
// with the file's mode, so the app keeps a working token, and returns the
// file it wrote. A symlinked cache keeps its link: the file it points to
// is replaced (renaming onto the link would leave that file with the
// revoked token and the app's path with a copy the app does not read).
func (tc *TokenCache) saveRefreshToken(token string) (string, error) {
	data, err := tc.withRefreshToken(token)
	if err != nil {
		return "", err
	}
	dest, err := filepath.EvalSymlinks(tc.Path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(dest)
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".spotcheck-cache-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		tmp.Close()
		return "", err
	}
	// The old token is revoked: the new one must survive a crash.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return "", err
	}
	tc.RefreshToken, tc.RefreshField = token, "present"
	return dest, nil
}
