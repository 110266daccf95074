package fakespotifytest_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestFakespotifytest(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "fakespotify/fakespotifytest")
}
