package scenarios

import (
	"os"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

// The shipped schema is generated; SPOTCHECK_WRITE_SCHEMA=1 (go generate)
// rewrites it instead of comparing. This spec lives inside the package
// because the generator is unexported; gomega is not dot-imported here
// since the package has its own Expect.
var _ = ginkgo.Describe("scenario.schema.json", func() {
	ginkgo.It("is what the generator makes of the current Go types and doc comments", func() {
		docs, err := sourceDocs(".")
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		gomega.Expect(docs).To(gomega.HaveKey("Exchange.Code"), "field docs are read from the source")
		generated, err := generateSchema(docs)
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		if os.Getenv("SPOTCHECK_WRITE_SCHEMA") == "1" {
			gomega.Expect(os.WriteFile("scenario.schema.json", generated, 0o644)).To(gomega.Succeed())
			return
		}
		shipped, err := os.ReadFile("scenario.schema.json")
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		gomega.Expect(string(shipped)).To(gomega.Equal(string(generated)), "scenario.schema.json is stale: run go generate ./scenarios")
	})
})
