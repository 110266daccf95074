package control

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/grade"
)

// GradeQuery encodes grade options as the query parameters of
// /_spotcheck/grade. Zero fields are left out: the fake uses its own.
func GradeQuery(clientID string, o grade.Options) url.Values {
	q := url.Values{}
	if clientID != "" {
		q.Set("client_id", clientID)
	}
	if o.LateExchange != 0 {
		q.Set("late_exchange", o.LateExchange.String())
	}
	if o.EarlyRefresh != 0 {
		q.Set("early_refresh", strconv.FormatFloat(o.EarlyRefresh, 'g', -1, 64))
	}
	if o.RefreshesPerMinute != 0 {
		q.Set("refreshes_per_minute", strconv.Itoa(o.RefreshesPerMinute))
	}
	if o.MaxEvidence != 0 {
		q.Set("max_evidence", strconv.Itoa(o.MaxEvidence))
	}
	if len(o.Skip) > 0 {
		q.Set("skip", strings.Join(o.Skip, ","))
	}
	return q
}

// ParseGradeQuery reads grade options from query parameters on top of
// base: late_exchange=90s, early_refresh=0.75, refreshes_per_minute=10,
// max_evidence=20, skip=scope-requested-unused,refresh-storm. Errors name
// the parameter.
func ParseGradeQuery(q url.Values, base grade.Options) (grade.Options, error) {
	o := base
	if v := q.Get("late_exchange"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("late_exchange: %q is not a positive duration like 60s", v)
		}
		o.LateExchange = d
	}
	if v := q.Get("early_refresh"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || !(x > 0 && x <= 1) {
			return o, fmt.Errorf("early_refresh: %q is not a fraction above 0 and at most 1, like 0.5", v)
		}
		o.EarlyRefresh = x
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"refreshes_per_minute", &o.RefreshesPerMinute}, {"max_evidence", &o.MaxEvidence}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return o, fmt.Errorf("%s: %q is not a positive whole number", p.name, v)
			}
			*p.dst = n
		}
	}
	if vs, ok := q["skip"]; ok {
		o.Skip = append([]string(nil), base.Skip...)
		for _, v := range vs {
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					o.Skip = append(o.Skip, id)
				}
			}
		}
	}
	if err := o.Validate(); err != nil {
		return o, err
	}
	return o, nil
}
