package wire_test

import (
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// policyRow is a policy's row of the README's table.
func policyRow(p wire.Policy) string {
	vals := make([]string, len(p.Values))
	for i, v := range p.Values {
		vals[i] = "`" + v.Value + "`: " + v.Description
	}
	return "| `" + p.Name + "` | " + strings.Join(vals, " · ") + " |"
}

var _ = Describe("policies", func() {
	It("names each policy once, with its values once, today's first", func() {
		names := map[string]bool{}
		for _, p := range wire.Policies {
			Expect(names).NotTo(HaveKey(p.Name))
			names[p.Name] = true
			Expect(p.Values).NotTo(BeEmpty())
			Expect(p.Default()).To(Equal(p.Values[0].Value))
			seen := map[string]bool{}
			for _, v := range p.Values {
				Expect(seen).NotTo(HaveKey(v.Value))
				seen[v.Value] = true
				Expect(p.Allows(v.Value)).To(BeTrue())
				Expect(v.Description).NotTo(BeEmpty())
			}
			Expect(p.Allows("")).To(BeFalse())
			got, ok := wire.LookupPolicy(p.Name)
			Expect(ok).To(BeTrue())
			Expect(got.Name).To(Equal(p.Name))
		}
		_, ok := wire.LookupPolicy("nope")
		Expect(ok).To(BeFalse())
	})

	It("words each message as the policy in force says", func() {
		Expect(wire.Unauthorized2026.Message(true)).To(Equal(wire.MsgBadToken2026))
		Expect(wire.UnauthorizedLegacy.Message(true)).To(Equal(wire.MsgExpiredLegacy))
		Expect(wire.UnauthorizedLegacy.Message(false)).To(Equal(wire.MsgInvalidLegacy))
		Expect(wire.Allowlist2024.Message()).To(Equal(wire.MsgNotAllowed2024))
		Expect(wire.Allowlist2021.Message()).To(Equal(wire.MsgNotAllowed2021))
		Expect(wire.Allowlist2021June.Message()).To(Equal(wire.MsgNotAllowed2021J))
		Expect(wire.VerifierIncorrect.Error()).To(Equal(wire.ErrVerifierIncorrect))
		Expect(wire.VerifierInvalid.Error()).To(Equal(wire.ErrVerifierInvalid))
	})

	It("is the README's table, row for row", func() {
		readme, err := os.ReadFile("../../README.md")
		Expect(err).NotTo(HaveOccurred())
		for _, p := range wire.Policies {
			Expect(string(readme)).To(ContainSubstring(policyRow(p)+"\n"), "README lacks, or words differently, the row of %s", p.Name)
		}
	})
})
