package reports

import (
	"bufio"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/spotcheck/spotcheck/checks/result"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// SchemaVersion is the "schema_version" of the JSON format. It changes only
// when a field is removed or changes meaning; new optional fields keep it.
const SchemaVersion = 1

//go:embed schema/report.schema.json
var jsonSchema []byte

// JSONSchema returns the JSON Schema (draft 2020-12) that every JSON report
// validates against.
func JSONSchema() []byte { return append([]byte(nil), jsonSchema...) }

// The JSON format. Durations are seconds as floating-point numbers, always
// in fields named *_seconds; times are RFC 3339 in UTC. The schema file
// documents every field.

type jsonHeader struct {
	SchemaVersion    int        `json:"schema_version"`
	Kind             string     `json:"kind"` // run, doctor or grade
	SpotcheckVersion string     `json:"spotcheck_version"`
	Target           jsonTarget `json:"target"`
	Started          string     `json:"started,omitempty"`
	DurationSeconds  float64    `json:"duration_seconds"`
}

type jsonTarget struct {
	Name        string `json:"name"`
	AccountsURL string `json:"accounts_url"`
	APIURL      string `json:"api_url"`
}

type jsonCounts struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	Errors  int `json:"errors"`
}

type jsonRun struct {
	jsonHeader
	Summary   jsonCounts     `json:"summary"`
	Scenarios []jsonScenario `json:"scenarios"`
}

type jsonScenario struct {
	ID              string     `json:"id"`
	Name            string     `json:"name"`
	File            string     `json:"file"`
	Line            int        `json:"line,omitempty"`
	Column          int        `json:"column,omitempty"`
	Description     string     `json:"description,omitempty"`
	Tags            []string   `json:"tags"`
	Status          string     `json:"status"`
	Message         string     `json:"message,omitempty"`
	DurationSeconds float64    `json:"duration_seconds"`
	Steps           []jsonStep `json:"steps"`
}

type jsonStep struct {
	ID              string              `json:"id"`
	Index           int                 `json:"index"`
	Name            string              `json:"name"`
	Action          string              `json:"action"`
	Line            int                 `json:"line,omitempty"`
	Column          int                 `json:"column,omitempty"`
	Status          string              `json:"status"`
	Message         string              `json:"message,omitempty"`
	DurationSeconds float64             `json:"duration_seconds"`
	Expectations    []jsonExpectation   `json:"expectations"`
	Explanation     *result.Explanation `json:"explanation,omitempty"`
	Exchanges       []jsonExchange      `json:"exchanges"`
	Screenshots     []jsonScreenshot    `json:"screenshots"`
}

type jsonExpectation struct {
	Name     string `json:"name"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Passed   bool   `json:"passed"`
}

type jsonExchange struct {
	ID              string        `json:"id"`
	Seq             int           `json:"seq"`
	Step            string        `json:"step,omitempty"`
	Actor           wire.Actor    `json:"actor"`
	Peer            wire.Peer     `json:"peer"`
	Started         string        `json:"started,omitempty"`
	DurationSeconds float64       `json:"duration_seconds"`
	Request         jsonRequest   `json:"request"`
	Response        *jsonResponse `json:"response,omitempty"`
	Error           string        `json:"error,omitempty"`
}

type jsonRequest struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers http.Header `json:"headers"`
	Body    string      `json:"body"`
}

type jsonResponse struct {
	Status  int         `json:"status"`
	Headers http.Header `json:"headers"`
	Body    string      `json:"body"`
}

type jsonScreenshot struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	PageText string `json:"page_text,omitempty"`
	PNG      string `json:"png,omitempty"` // base64, standard alphabet
	PNGBytes int    `json:"png_bytes"`
	Omitted  bool   `json:"png_omitted,omitempty"`
}

type jsonFindings struct {
	jsonHeader
	Subject  string             `json:"subject,omitempty"`
	Summary  jsonFindingSummary `json:"summary"`
	Checks   []jsonCheck        `json:"checks"`
	Findings []jsonFinding      `json:"findings"`
}

type jsonFindingSummary struct {
	Checks        jsonCounts     `json:"checks"`
	Findings      map[string]int `json:"findings"` // by severity: error, warning, info
	WorstSeverity string         `json:"worst_severity,omitempty"`
}

type jsonCheck struct {
	ID              string   `json:"id"`
	Alias           string   `json:"alias,omitempty"`
	Group           string   `json:"group"`
	Title           string   `json:"title"`
	Status          string   `json:"status"`
	Message         string   `json:"message,omitempty"`
	Details         []string `json:"details,omitempty"`
	DurationSeconds float64  `json:"duration_seconds"`
}

type jsonFinding struct {
	ID        string         `json:"id"`
	Alias     string         `json:"alias,omitempty"`
	Severity  string         `json:"severity"`
	Group     string         `json:"group"`
	Check     string         `json:"check,omitempty"`
	Title     string         `json:"title"`
	Evidence  []string       `json:"evidence"`
	Fix       string         `json:"fix"`
	Exchanges []jsonExchange `json:"exchanges"`
}

func writeJSON(w *bufio.Writer, doc Document, opts Options) error {
	enc := json.NewEncoder(w)
	// URLs and bodies are full of & and <: keep them legible.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if doc.Run != nil {
		return enc.Encode(jsonRunOf(doc.Run, opts))
	}
	return enc.Encode(jsonFindingsOf(doc.Findings, opts))
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func counts(t tally) jsonCounts {
	return jsonCounts{Total: t.total(), Passed: t.passed, Failed: t.failed, Skipped: t.skipped, Errors: t.errored}
}

func jsonRunOf(run *result.RunResult, opts Options) jsonRun {
	ids := scenarioIDs(run)
	out := jsonRun{
		jsonHeader: jsonHeader{
			SchemaVersion:    SchemaVersion,
			Kind:             "run",
			SpotcheckVersion: opts.version(run.Version),
			Target:           jsonTarget(run.Target),
			Started:          jsonTime(run.Started),
			DurationSeconds:  run.Duration.Seconds(),
		},
		Summary:   counts(runTally(run)),
		Scenarios: make([]jsonScenario, len(run.Scenarios)),
	}
	for i, s := range run.Scenarios {
		js := jsonScenario{
			ID: ids[i], Name: s.Name, File: s.File, Line: s.Line, Column: s.Column, Description: s.Description,
			Tags: nonNil(s.Tags), Status: string(s.Status), Message: s.Message,
			DurationSeconds: s.Duration.Seconds(),
			Steps:           make([]jsonStep, len(s.Steps)),
		}
		for j, st := range s.Steps {
			sid := stepID(ids[i], j, st.Name)
			jst := jsonStep{
				ID: sid, Index: j + 1, Name: st.Name, Action: st.Action, Line: st.Line, Column: st.Column, Status: string(st.Status),
				Message: st.Message, DurationSeconds: st.Duration.Seconds(), Explanation: st.Explanation,
				Expectations: make([]jsonExpectation, len(st.Expectations)),
				Exchanges:    jsonExchanges(sid, st.Exchanges),
				Screenshots:  make([]jsonScreenshot, len(st.Screenshots)),
			}
			for k, e := range st.Expectations {
				jst.Expectations[k] = jsonExpectation(e)
			}
			for k, sh := range st.Screenshots {
				jst.Screenshots[k] = jsonScreenshotOf(sh, opts)
			}
			js.Steps[j] = jst
		}
		out.Scenarios[i] = js
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func headers(h http.Header) http.Header {
	if h == nil {
		return http.Header{}
	}
	return h
}

// jsonExchanges converts a transcript; ids are "<owner>#<seq>" with the
// step (or finding) as owner.
func jsonExchanges(owner string, xs []wire.Exchange) []jsonExchange {
	out := make([]jsonExchange, len(xs))
	for i, x := range xs {
		jx := jsonExchange{
			ID: exchangeID(owner, i, x), Seq: x.Seq, Step: x.Step, Actor: x.Actor, Peer: x.Peer,
			Started: jsonTime(x.Started), DurationSeconds: x.Duration.Seconds(),
			Request: jsonRequest{Method: x.Method, URL: x.URL, Headers: headers(x.RequestHeaders), Body: x.RequestBody},
			Error:   x.Error,
		}
		if x.Status != 0 {
			jx.Response = &jsonResponse{Status: x.Status, Headers: headers(x.ResponseHeaders), Body: x.ResponseBody}
		}
		out[i] = jx
	}
	return out
}

func jsonScreenshotOf(sh result.Screenshot, opts Options) jsonScreenshot {
	js := jsonScreenshot{Name: sh.Name, URL: sh.URL, PageText: sh.PageText, PNGBytes: len(sh.PNG)}
	if opts.OmitScreenshots {
		js.Omitted = len(sh.PNG) > 0
	} else {
		js.PNG = base64.StdEncoding.EncodeToString(sh.PNG)
	}
	return js
}

func jsonFindingsOf(f *result.FindingsResult, opts Options) jsonFindings {
	kind := f.Kind
	if kind != "grade" {
		kind = "doctor"
	}
	by := findingsBySeverity(f.Findings)
	out := jsonFindings{
		jsonHeader: jsonHeader{
			SchemaVersion:    SchemaVersion,
			Kind:             kind,
			SpotcheckVersion: opts.version(f.Version),
			Target:           jsonTarget(f.Target),
			Started:          jsonTime(f.Started),
			DurationSeconds:  f.Duration.Seconds(),
		},
		Subject: f.Subject,
		Summary: jsonFindingSummary{
			Checks: counts(checkTally(f)),
			Findings: map[string]int{
				"error":   len(by[result.SeverityError]),
				"warning": len(by[result.SeverityWarning]),
				"info":    len(by[result.SeverityInfo]),
			},
			WorstSeverity: string(f.Worst()),
		},
		Checks:   make([]jsonCheck, len(f.Checks)),
		Findings: make([]jsonFinding, len(f.Findings)),
	}
	for i, c := range f.Checks {
		out.Checks[i] = jsonCheck{ID: c.ID, Alias: c.Alias, Group: groupName(c.Group), Title: c.Title, Status: string(c.Status), Message: c.Message, Details: c.Details, DurationSeconds: c.Duration.Seconds()}
	}
	for i, fd := range f.Findings {
		out.Findings[i] = jsonFinding{
			ID: fd.ID, Alias: fd.Alias, Severity: string(fd.Severity), Group: groupName(fd.Group), Check: fd.Check, Title: fd.Title,
			Evidence: nonNil(fd.Evidence), Fix: fd.Fix, Exchanges: jsonExchanges(findingOwner(i, fd), fd.Exchanges),
		}
	}
	return out
}

// findingOwner prefixes the ids of a finding's exchanges: finding ids repeat
// (one per offending redirect URI, say), so the position makes them unique.
func findingOwner(i int, fd result.Finding) string {
	return "finding-" + itoa(i+1) + "-" + slug(fd.ID)
}
