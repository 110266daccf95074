package reportstest_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestReportstest(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "reportstest")
}
