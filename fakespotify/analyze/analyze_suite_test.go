package analyze_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestAnalyze(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "analyze")
}
