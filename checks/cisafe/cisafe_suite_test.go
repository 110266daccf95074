package cisafe_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCISafe(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "cisafe")
}
