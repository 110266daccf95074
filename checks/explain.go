package checks

import (
	"slices"
	"strings"

	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// acrossRequests asks the analyzer what the scenario's exchanges so far
// show about the step's own (step): a redirect_uri that changed since the
// authorize step, a code sent before, a token past its expiry. The
// transcript is redacted, but equal values have equal fingerprints, so
// "the same code twice" still shows. Each finding comes back as a catalog
// match.
func (sr *scenarioRun) acrossRequests(step []wire.Exchange) []explain.Match {
	if len(step) == 0 {
		return nil
	}
	first := step[0].Seq
	xs := append(slices.Clone(sr.history), step...)
	var ms []explain.Match
	analyze.Walk(analyze.Read(xs), analyze.Options{Fingerprint: redact.Fingerprint}, func(f analyze.Finding) {
		if xs[f.Exchanges[0]].Seq < first {
			return // about an earlier step
		}
		if e, ok := sr.r.cat.Entry(string(f.ID)); ok {
			ms = append(ms, explain.Match{Entry: e, Confidence: f.Confidence, Cause: f.Cause, Findings: f.Facts, Source: "the scenario's requests"})
		}
	})
	return ms
}

// withAcross adds the analyzer's findings to the catalog's reading of the
// step's error: where both name the same entry, the analyzer's facts and
// cause join it; where the error alone said nothing the catalog
// recognises, the analyzer's most confident finding answers.
func withAcross(ms, across []explain.Match) []explain.Match {
	if len(across) == 0 {
		return ms
	}
	if len(ms) > 0 && ms[0].Confidence >= explain.Recognised {
		top := ms[0]
		for _, a := range across {
			if a.Entry.ID != top.Entry.ID {
				continue
			}
			if top.Cause == "" {
				top.Cause = a.Cause
			}
			top.Findings = append(slices.Clip(top.Findings), a.Findings...)
		}
		return append([]explain.Match{top}, ms[1:]...)
	}
	best := across[0]
	for _, a := range across[1:] {
		if a.Confidence > best.Confidence {
			best = a
		}
	}
	return []explain.Match{best}
}

// explanation turns the catalog's best reading of an error into the
// step's Explanation: only the most likely entry, and only when the
// catalog itself would present it as the answer (confidence
// explain.Recognised or more). A guess would send a reader the wrong way;
// no explanation sends them to the transcript.
func (sr *scenarioRun) explanation(ms []explain.Match) *Explanation {
	if len(ms) == 0 || ms[0].Confidence < explain.Recognised || ms[0].Entry == nil {
		return nil
	}
	m := ms[0]
	// The runner's client is spotcheck's own, none of the libraries the
	// catalog words fixes for; a cause tied to one (the scenario acting as
	// golang.org/x/oauth2 does) picks that library's wording, as explain
	// does for a report from it.
	if m.Library == "" {
		if c, ok := m.Entry.Cause(m.Cause); ok {
			m.Library = c.Library
		}
	}
	red := sr.client.Redactor()
	// The catalog fingerprints what it recognises as secret; the client
	// knows more (the codes and tokens of this scenario), so the evidence
	// is scrubbed with both.
	ev := make([]string, 0, len(m.Evidence)+len(m.Findings))
	for _, e := range append(append([]string(nil), m.Evidence...), m.Findings...) {
		ev = append(ev, red.String(e))
	}
	return &Explanation{
		ID:         m.Entry.ID,
		Title:      m.Entry.Title,
		Causes:     m.CauseTexts(),
		Fix:        m.Fix(),
		Ask:        m.Entry.Ask,
		Check:      m.Entry.Check,
		Library:    m.Library,
		Cause:      m.Cause,
		Confidence: m.Confidence,
		Since:      m.Entry.Since,
		Evidence:   strings.Join(ev, "\n"),
	}
}
