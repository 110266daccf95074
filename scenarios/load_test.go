package scenarios_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/scenarios"
)

var _ = Describe("Load", func() {
	var dir string
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
		Expect(os.WriteFile(p, []byte(src), 0o644)).To(Succeed())
		return p
	}
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("reads files and directories, recursively and in order, *.yaml and *.yml only", func() {
		write("b.yaml", "name: b\nsteps: [{authorize: {}}]\n")
		write("sub/a.yml", "name: a\nsteps: [{authorize: {}}]\n---\nname: a2\nsteps: [{authorize: {}}]\n")
		write("notes.txt", "not yaml")
		extra := write("../extra-"+filepath.Base(dir)+".yaml", "name: extra\nsteps: [{authorize: {}}]\n")
		list, err := scenarios.Load(dir, extra)
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, s := range list {
			names = append(names, s.Name)
		}
		Expect(names).To(Equal([]string{"b", "a", "a2", "extra"}))
		Expect(list[1].Pos.File).To(Equal(filepath.Join(dir, "sub/a.yml")))
		Expect(list[2].Pos.Line).To(Equal(4))
	})

	It("reports the problems of every file together, and names repeated across files", func() {
		a := write("a.yaml", "name: same\nsteps: [{authorize: {}}]\n")
		b := write("b.yaml", "name: same\nsteps: [{authorize: {}}]\n---\nname: broken\nsteps: [{exchange: {code: x, auth: basik}}]\n")
		missing := filepath.Join(dir, "missing.yaml")
		_, err := scenarios.Load(a, b, missing)
		Expect(err).To(MatchError(
			b + `:1:1: duplicate scenario name "same" (first at ` + a + ":1:1)\n" +
				b + `:5:36: steps[0].exchange.auth: unknown value "basik" (want basic, body, public or none)` + "\n" +
				missing + ": cannot read: no such file or directory"))
	})

	It("says so when a directory has no scenario file", func() {
		_, err := scenarios.Load(dir)
		Expect(err).To(MatchError(dir + ": no *.yaml or *.yml file in this directory"))
	})

	It("checks app and user names against the fake it will run on", func() {
		cfg := &config.Config{
			Apps:  []config.App{{Name: "mine"}},
			Users: []config.User{{ID: "carol"}},
		}
		l := scenarios.LoaderFor(cfg)
		_, err := l.Parse([]byte("name: x\napp: mine\nuser: carol\nsteps: [{authorize: {}}]\n"), "x.yaml")
		Expect(err).NotTo(HaveOccurred())
		_, err = l.Parse([]byte("name: x\nsteps: [{authorize: {}}]\n"), "x.yaml")
		Expect(err).To(MatchError(`x.yaml:1:1: app: unknown app "web" (the fake's apps: mine)`), "the default app must exist too")
		_, err = l.Parse([]byte("name: x\ntargets: [spotify]\napp: whatever\nsteps: [{authorize: {}}]\n"), "x.yaml")
		Expect(err).NotTo(HaveOccurred(), "on spotify the app is the user's, whatever its name")
	})

	It("positions a problem in a later document of a stream on its own line", func() {
		_, err := scenarios.Parse([]byte("name: a\nsteps: [{authorize: {}}]\n---\n# comment\nname: b\nsteps:\n  - refresh: {}\n"), "s.yaml")
		Expect(err).To(MatchError("s.yaml:7:5: steps[0].refresh: no earlier exchange or refresh step gives a refresh token; set refresh_token"))
	})
})
