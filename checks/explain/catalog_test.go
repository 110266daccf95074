package explain_test

import (
	"os"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// requiredIDs are the entries issue 6 names; the runner and the doctor refer
// to them.
var requiredIDs = []string{
	"redirect-uri-mismatch", "redirect-uri-insecure", "client-id-invalid", "client-secret-invalid",
	"client-auth-missing", "scope-illegal", "param-missing", "implicit-grant-removed", "access-denied",
	"code-invalid", "code-expired", "token-redirect-uri-mismatch", "grant-type-missing",
	"grant-type-unsupported", "pkce-verifier-mismatch", "pkce-verifier-missing", "refresh-token-revoked",
	"refresh-token-invalid", "refresh-token-expired", "access-token-expired", "access-token-missing",
	"auth-header-malformed", "scope-insufficient", "user-not-allowlisted", "owner-not-premium",
	"endpoint-restricted", "rate-limited",
}

// minimal is a valid one-entry catalog to break in the specs below.
const minimal = `version: 1
entries:
  - id: code-invalid
    where: [token]
    title: The code is bad
    fix: Exchange it once.
    causes:
      - {id: reused, text: Sent twice.}
    rules:
      - error: invalid_grant
        description: 'Invalid authorization code'
`

var _ = Describe("the catalog", func() {
	It("loads the embedded catalog and has every required id", func() {
		c := explain.Default()
		for _, id := range requiredIDs {
			e, ok := c.Entry(id)
			Expect(ok).To(BeTrue(), id)
			Expect(e.ID).To(Equal(id))
		}
		Expect(len(c.Entries())).To(BeNumerically(">=", len(requiredIDs)))
	})

	It("gives every entry a title, a where, a fix and ranked causes, and every rule a compiled matcher", func() {
		kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
		seen := map[string]bool{}
		for _, e := range explain.Default().Entries() {
			Expect(kebab.MatchString(e.ID)).To(BeTrue(), e.ID)
			Expect(seen[e.ID]).To(BeFalse(), "duplicate "+e.ID)
			seen[e.ID] = true
			Expect(e.Title).NotTo(BeEmpty(), e.ID)
			Expect(e.Where).NotTo(BeEmpty(), e.ID)
			Expect(strings.TrimSpace(e.Fix)).NotTo(BeEmpty(), e.ID)
			Expect(e.Causes).NotTo(BeEmpty(), e.ID)
			for _, c := range e.Causes {
				Expect(c.Text).NotTo(BeEmpty(), e.ID+"/"+c.ID)
				Expect(c.Tell).NotTo(BeEmpty(), "%s/%s: every cause says how to tell it apart", e.ID, c.ID)
			}
			if !e.Derived {
				Expect(e.Rules).NotTo(BeEmpty(), e.ID)
			}
			for _, r := range e.Rules {
				Expect(r.Confidence).To(BeNumerically(">", 0))
				Expect(r.Line()).To(BeNumerically(">", 0))
			}
		}
	})

	It("matches every historical wording the reference quotes", func() {
		// Each text is quoted in the wire reference; each must be known.
		for text, id := range map[string]string{
			"code_verifier was incorrect":                                                        "pkce-verifier-mismatch",
			"code_verifier was invalid":                                                          "pkce-verifier-mismatch",
			"grant_type client_credentials  is not supported":                                    "grant-type-unsupported",
			"grant_type must be client_credentials, authorization_code or refresh_token":         "grant-type-unsupported",
			"User not approved for app":                                                          "user-not-allowlisted",
			"User not registered in the Developer Dashboard":                                     "user-not-allowlisted",
			"Check settings on developer.spotify.com/dashboard, the user may not be registered.": "user-not-allowlisted",
			"The access token expired":                                                           "access-token-expired",
			"Missing/invalid/expired access token":                                               "access-token-expired",
			"Invalid access token":                                                               "access-token-invalid",
			"No token provided":                                                                  "access-token-missing",
		} {
			res := explainText(text)
			Expect(res.Recognised()).To(BeTrue(), text)
			Expect(res.Matches[0].Entry.ID).To(Equal(id), text)
		}
	})

	Describe("Parse", func() {
		It("accepts a minimal catalog", func() {
			c, err := explain.Parse([]byte(minimal), "mini.yaml")
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Entries()).To(HaveLen(1))
		})

		DescribeTable("rejects a broken catalog, naming the problem and its line",
			func(edit func(string) string, want string) {
				_, err := explain.Parse([]byte(edit(minimal)), "broken.yaml")
				Expect(err).To(HaveOccurred())
				Expect(err.Error()).To(ContainSubstring("broken.yaml"))
				Expect(err.Error()).To(ContainSubstring(want))
			},
			Entry("duplicate id", func(s string) string {
				return s + s[strings.Index(s, "  - id:"):]
			}, `duplicate id (first at line 3)`),
			Entry("rule that does not compile", func(s string) string {
				return strings.Replace(s, `'Invalid authorization code'`, `'Invalid (authorization code'`, 1)
			}, "line 10: entry \"code-invalid\" rule 1: description"),
			Entry("no fix", func(s string) string { return strings.Replace(s, "    fix: Exchange it once.\n", "", 1) }, `entry "code-invalid": no fix`),
			Entry("no where", func(s string) string { return strings.Replace(s, "    where: [token]\n", "", 1) }, `no where`),
			Entry("bad where", func(s string) string { return strings.Replace(s, "[token]", "[tokens]", 1) }, `where "tokens"`),
			Entry("no title", func(s string) string { return strings.Replace(s, "    title: The code is bad\n", "", 1) }, `no title`),
			Entry("no causes", func(s string) string {
				return strings.Replace(s, "    causes:\n      - {id: reused, text: Sent twice.}\n", "", 1)
			}, `no causes`),
			Entry("id not kebab-case", func(s string) string { return strings.Replace(s, "id: code-invalid", "id: Code_Invalid", 1) }, `kebab-case`),
			Entry("description without error", func(s string) string {
				return strings.Replace(s, "      - error: invalid_grant\n        description", "      - description", 1)
			}, `description without error`),
			Entry("rule matching nothing", func(s string) string {
				return strings.Replace(s, "      - error: invalid_grant\n        description: 'Invalid authorization code'\n", "      - wording: nothing\n", 1)
			}, `matches nothing`),
			Entry("rule pointing at an unknown cause", func(s string) string { return s + "        cause: nope\n" }, `cause "nope"`),
			Entry("confidence out of range", func(s string) string { return s + "        confidence: 1.5\n" }, `confidence 1.5`),
			Entry("status out of range", func(s string) string { return s + "        status: 999\n" }, `status 999`),
			Entry("a trailing period on a regex", func(s string) string {
				return strings.Replace(s, `'Invalid authorization code'`, `'Invalid authorization code\.'`, 1)
			}, `trailing period`),
			Entry("an unknown field", func(s string) string { return s + "        colour: red\n" }, `colour`),
			Entry("a derived entry with rules", func(s string) string { return strings.Replace(s, "    rules:", "    derived: true\n    rules:", 1) }, `derived entries have no rules`),
			Entry("a hint over an unknown entry", func(s string) string { return s + "    hints:\n      - over: [nope]\n        text: x\n" }, `hint 1: over "nope" is not a catalog id`),
			Entry("a hint over the entry itself", func(s string) string {
				return s + "    hints:\n      - over: [code-invalid]\n        text: x\n"
			}, `over names the entry itself`),
			Entry("a wrong version", func(s string) string { return strings.Replace(s, "version: 1", "version: 2", 1) }, `version 2`),
		)

		It("reports every problem at once", func() {
			broken := strings.Replace(strings.Replace(minimal, "    fix: Exchange it once.\n", "", 1), "[token]", "[tokens]", 1)
			_, err := explain.Parse([]byte(broken), "two.yaml")
			var ve *explain.ValidationError
			Expect(err).To(BeAssignableToTypeOf(ve))
			Expect(err.(*explain.ValidationError).Problems).To(HaveLen(2))
		})
	})

	It("ships catalog.yaml next to the code (the file is the data)", func() {
		data, err := os.ReadFile("catalog.yaml")
		Expect(err).NotTo(HaveOccurred())
		c, err := explain.Parse(data, "catalog.yaml")
		Expect(err).NotTo(HaveOccurred())
		Expect(len(c.Entries())).To(Equal(len(explain.Default().Entries())))
	})
})

var _ = Describe("the README", func() {
	It("documents every catalog id", func() {
		readme, err := os.ReadFile("../../README.md")
		Expect(err).NotTo(HaveOccurred())
		for _, e := range explain.Default().Entries() {
			Expect(string(readme)).To(ContainSubstring("`"+e.ID+"`"), e.ID)
		}
	})
})
