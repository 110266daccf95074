package explainweb_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestExplainWeb(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "explainweb")
}
