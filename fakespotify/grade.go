package fakespotify

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Grade is the verdict on how an app's client behaved: which client rules
// ran, and the findings, each with its evidence and fix. Its JSON decodes
// into spotcheck's checks.FindingsResult. See package grade for the rules.
type Grade = grade.Report

// GradeOptions tune the grading rules (thresholds, rules to skip).
type GradeOptions = grade.Options

// WithGradeOptions sets the options Grade and GET /_spotcheck/grade use
// unless a call gives its own.
func WithGradeOptions(o GradeOptions) Option { return func(f *Fake) { f.log.grading = o } }

// GradeOptions returns the options Grade uses (see WithGradeOptions).
func (f *Fake) GradeOptions() GradeOptions {
	o := f.log.grading
	o.Skip = append([]string(nil), o.Skip...)
	return o
}

// Grade judges the requests an app's client sent since the app's log was
// last reset (ResetRequests) against the client rules of package grade.
// clientID is a client id or an app name; "" or "*" grades every app that
// sent requests, merged into one Grade. Grading reads the request log
// only when called: it costs the fake nothing while it serves.
//
// An unknown app gives a Grade whose rules are all skipped, saying so.
func (f *Fake) Grade(clientID string) Grade { return f.GradeWith(clientID, f.log.grading) }

// GradeWith is Grade with options of its own.
func (f *Fake) GradeWith(clientID string, o GradeOptions) Grade {
	g, err := f.grade(clientID, o, false)
	if err != nil {
		return grade.Empty(f.Now(), err.Error(), o)
	}
	return g
}

// GradeAndReset grades the app's window and starts a new one in the same
// step, so that no request falls between two windows: what a test suite
// calls after each test that shares an app.
func (f *Fake) GradeAndReset(clientID string) Grade {
	g, err := f.grade(clientID, f.log.grading, true)
	if err != nil {
		return grade.Empty(f.Now(), err.Error(), f.log.grading)
	}
	return g
}

var errNoApp = errors.New("no app")

func (f *Fake) grade(clientID string, o GradeOptions, reset bool) (Grade, error) {
	if err := o.Validate(); err != nil {
		return Grade{}, err
	}
	now := f.Now()
	if clientID == "" || clientID == "*" {
		var reps []grade.Report
		for _, app := range f.Apps() {
			raw, dropped := f.gradeWindow(app.ClientID, reset)
			if len(raw) == 0 {
				continue
			}
			reps = append(reps, f.gradeApp(app.ClientID, app.Name, raw, dropped, o))
		}
		switch len(reps) {
		case 0:
			return grade.Empty(now, "no app sent requests in the window", o), nil
		case 1:
			return reps[0], nil
		}
		return grade.Merge(reps, now), nil
	}
	app, ok := f.App(clientID)
	if !ok {
		return Grade{}, fmt.Errorf("%w with client id or name %q", errNoApp, clientID)
	}
	raw, dropped := f.gradeWindow(app.ClientID, reset)
	return f.gradeApp(app.ClientID, app.Name, raw, dropped, o), nil
}

func (f *Fake) gradeWindow(clientID string, reset bool) ([]*rawRequest, uint64) {
	if reset {
		return f.log.take(clientID)
	}
	return f.log.snapshot(clientID)
}

func (f *Fake) gradeApp(clientID, name string, raw []*rawRequest, dropped uint64, o GradeOptions) Grade {
	entries := make([]grade.Entry, len(raw))
	for i, e := range raw {
		entries[i] = grade.Entry{
			Seq: e.Seq, Time: e.Time, Duration: e.Duration, StartTick: e.startTick, EndTick: e.endTick,
			ClientID: e.ClientID, UserID: e.UserID, Endpoint: e.Endpoint, Method: e.Method, Path: e.Path,
			RawQuery: e.rawQuery, Header: decodeHeader(e.header), Body: bytesOf(e.body),
			Status: e.Status, ResponseHeader: decodeHeader(e.respHdr), ResponseBody: bytesOf(e.respBody), Injected: e.Injected,
			Exchange: func() wire.Exchange { return f.exchange(e) },
		}
	}
	return grade.Run(grade.Input{
		ClientID: clientID, App: name, Entries: entries, Dropped: dropped,
		Now: f.NowFor(clientID), CodeLifetime: f.cfg.Lifetimes.Code,
		Oracle: storeOracle{f}, Options: o,
	})
}

// bytesOf is a logged body as grading reads it: nil when there was none.
func bytesOf(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// exchange is a logged request in the shape reports show, redacted.
func (f *Fake) exchange(e *rawRequest) wire.Exchange {
	r := f.redacted(e)
	actor, peer := wire.ActorClient, wire.PeerAccounts
	switch {
	case r.Endpoint.Browser():
		actor = wire.ActorBrowser
	case r.Endpoint == wire.EndpointAPI:
		peer = wire.PeerAPI
	}
	u := r.Path
	if len(r.Query) > 0 {
		u += "?" + ReadableQuery(r.Query)
	}
	return wire.Exchange{
		Seq: int(r.Seq), Actor: actor, Peer: peer, Started: r.Time, Duration: r.Duration,
		Method: r.Method, URL: u, RequestHeaders: r.Header, RequestBody: r.Body,
		Status: r.Status, ResponseHeaders: r.ResponseHeader, ResponseBody: r.ResponseBody,
	}
}

// ReadableQuery encodes redacted parameters leaving fingerprints as they
// are, so that a reader (a grade's evidence, a log line) sees
// "code=[redacted 298ch #1a2b3c4d]" and not its percent-encoding.
func ReadableQuery(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, x := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=")
			if redact.IsFingerprint(x) {
				b.WriteString(x)
			} else {
				b.WriteString(url.QueryEscape(x))
			}
		}
	}
	return b.String()
}

// storeOracle answers from the store what the log window may not show.
type storeOracle struct{ f *Fake }

func (o storeOracle) AccessExpiry(token string) (time.Time, bool) {
	a, _, ok := o.f.store.AccessToken(token)
	return a.Expires, ok
}

func (o storeOracle) RefreshRotated(token string) bool {
	r, _ := o.f.store.RefreshToken(token)
	return r.Rotated
}

// ParseGradeQuery reads grade options from the query parameters of
// /_spotcheck/grade on top of base (control.ParseGradeQuery).
func ParseGradeQuery(q url.Values, base GradeOptions) (GradeOptions, error) {
	return control.ParseGradeQuery(q, base)
}
