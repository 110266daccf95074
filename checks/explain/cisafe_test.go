package explain_test

import (
	"bytes"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/cisafe/cisafetest"
	"github.com/spotcheck/spotcheck/checks/explain"
)

var _ = Describe("explain's output of a pasted report that carries workflow commands", func() {
	// A user's log, pasted into a CI job that runs explain: the error is
	// real, the commands around it are not spotcheck's to obey.
	const pasted = "##[group]build\n  ::add-mask::s3cret\n{\"error\":\"invalid_client\",\"error_description\":\"Invalid client secret\",\"hint\":\"##[error]forged\"}\n\t::error::##[error]x\r\n ::stop-commands::tok"
	var res *explain.Result
	BeforeEach(func() {
		var err error
		res, err = explain.Default().Explain([]byte(pasted), explain.Options{Name: "##[warning]log.txt"})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Recognised()).To(BeTrue())
	})

	It("holds no command in text", func() {
		var out bytes.Buffer
		Expect(explain.WriteText(&out, res)).To(Succeed())
		Expect(cisafetest.Commands(out.String())).To(BeEmpty())
	})

	It("holds no command in JSON, which decodes to the same document", func() {
		var out bytes.Buffer
		Expect(explain.WriteJSON(&out, res)).To(Succeed())
		Expect(cisafetest.Commands(out.String())).To(BeEmpty())
		var doc map[string]any
		Expect(json.Unmarshal(out.Bytes(), &doc)).To(Succeed())
		Expect(doc["input"].(map[string]any)["name"]).To(Equal("##[warning]log.txt"))
	})
})
