package dotenv_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestDotenv(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "dotenv")
}
