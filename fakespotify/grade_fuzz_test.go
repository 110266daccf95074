package fakespotify_test

import (
	"net/url"
	"testing"

	"github.com/spotcheck/spotcheck/fakespotify"
)

// FuzzGradeQuery: any query string on /_spotcheck/grade gives options
// within their documented ranges, or an error naming the parameter.
func FuzzGradeQuery(f *testing.F) {
	for _, s := range []string{"late_exchange=90s", "early_refresh=0.75&refreshes_per_minute=10", "skip=refresh-storm,,state-missing&skip=pkce-plain",
		"early_refresh=NaN", "max_evidence=-3", "late_exchange=-1s", "refreshes_per_minute=9999999999999999999", "skip=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		o, err := fakespotify.ParseGradeQuery(q, fakespotify.GradeOptions{})
		if err != nil {
			return
		}
		if o.LateExchange < 0 || o.EarlyRefresh < 0 || o.EarlyRefresh > 1 || o.RefreshesPerMinute < 0 || o.MaxEvidence < 0 {
			t.Fatalf("%q gave out-of-range options %+v", raw, o)
		}
		if o.Validate() != nil {
			t.Fatalf("%q: accepted options that do not validate", raw)
		}
	})
}
