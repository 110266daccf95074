package wire

import (
	"strconv"
	"time"
)

// Development mode's allowlist cap (§8.1, Appendix B.5): up to 25 users
// from 2021-05-27; up to five for apps created from 2026-02-11, when the
// February 2026 rules began for new apps. Apps created before keep what
// they had ("Existing apps are grandfathered: If you already have ...
// more than 5 users, you will retain them", the February 2026 migration
// guide), so for them the cap stays 25.
const (
	DevModeUsers       = 5
	DevModeUsersBefore = 25
)

// DevModeUsersSince is the day the five-user cap began for new apps.
var DevModeUsersSince = time.Date(2026, 2, 11, 0, 0, 0, 0, time.UTC)

// DevModeUserCap is how many users a development-mode app created on
// created may have on its allowlist. [inferred] An app without a creation
// date counts as new, as the fake implements today's rules by default.
func DevModeUserCap(created time.Time) int {
	if !created.IsZero() && created.Before(DevModeUsersSince) {
		return DevModeUsersBefore
	}
	return DevModeUsers
}

// DevModeUserCapMessage is what the dashboard says when User Management is
// full. [inferred] The dashboard's own words were not captured; this
// sentence says what the rule is, in the dashboard's terms (the section
// is "User Management", §8.1).
func DevModeUserCapMessage(limit int) string {
	return "User Management: an app in Development mode can have at most " + strconv.Itoa(limit) +
		" users; to add more, apply for extended quota mode"
}
