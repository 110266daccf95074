package checks

import (
	"strings"

	"github.com/spotcheck/spotcheck/checks/explain"
)

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
	red := sr.client.Redactor()
	// The catalog fingerprints what it recognises as secret; the client
	// knows more (the codes and tokens of this scenario), so the evidence
	// is scrubbed with both.
	ev := make([]string, 0, len(m.Evidence)+len(m.Findings))
	for _, e := range append(append([]string(nil), m.Evidence...), m.Findings...) {
		ev = append(ev, red.String(e))
	}
	return &Explanation{
		ID:       m.Entry.ID,
		Title:    m.Entry.Title,
		Causes:   m.CauseTexts(),
		Fix:      strings.TrimSpace(m.Entry.Fix),
		Ask:      m.Entry.Ask,
		Since:    m.Entry.Since,
		Evidence: strings.Join(ev, "\n"),
	}
}
