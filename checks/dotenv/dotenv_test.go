package dotenv_test

import (
	"encoding/json"
	"os"
	"sort"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/dotenv"
)

// golden is what a real loader made of testdata/cases.json
// (testdata/gen-golden.sh records it).
type golden struct {
	Cases map[string]map[string]string `json:"cases"`
}

func readJSON(path string, v any) {
	data, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	Expect(json.Unmarshal(data, v)).To(Succeed())
}

// readings is every key a loader reads, with its final value.
func readings(f *dotenv.File, python bool) map[string]string {
	out := map[string]string{}
	for _, k := range f.Keys() {
		e, _ := f.Lookup(k)
		r := e.Node
		if python {
			r = e.Python
		}
		if r.OK {
			out[k] = r.Value
		}
	}
	return out
}

var _ = Describe("Parse", func() {
	var cases map[string]string
	BeforeEach(func() { readJSON("testdata/cases.json", &cases) })

	DescribeTable("reads every case as the real loader did",
		func(file string, python bool) {
			var want golden
			readJSON(file, &want)
			Expect(want.Cases).To(HaveLen(len(cases)))
			names := make([]string, 0, len(cases))
			for name := range cases {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				f := dotenv.Parse([]byte(cases[name]), ".env", nil)
				Expect(readings(f, python)).To(Equal(want.Cases[name]), "case %q", name)
			}
		},
		Entry("python-dotenv 1.2.2", "testdata/golden-python.json", true),
		Entry("dotenv for Node 18.0.10 (16.6.1 reads the same)", "testdata/golden-node.json", false),
	)

	It("names the line of each key, and keeps the last of a key set twice", func() {
		f := dotenv.Parse([]byte("# c\n\nexport A=1\nB=\"x\ny\"\nA=2\n"), ".env", nil)
		a, ok := f.Lookup("A")
		Expect(ok).To(BeTrue())
		Expect(a.Line).To(Equal(6))
		Expect(a.Value()).To(Equal("2"))
		b, _ := f.Lookup("B")
		Expect(b.Line).To(Equal(4))
		Expect(b.Agree()).To(BeTrue())
		_, ok = f.Lookup("C")
		Expect(ok).To(BeFalse())
	})

	It("says where the loaders disagree", func() {
		f := dotenv.Parse([]byte("SECRET=abc#def\nURI: http://127.0.0.1/cb\n"), ".env", nil)
		s, _ := f.Lookup("SECRET")
		Expect(s.Agree()).To(BeFalse())
		Expect(s.Python).To(Equal(dotenv.Reading{Value: "abc#def", OK: true}))
		Expect(s.Node).To(Equal(dotenv.Reading{Value: "abc", OK: true}))
		u, ok := f.Lookup("URI")
		Expect(ok).To(BeTrue())
		Expect(u.Python.OK).To(BeFalse())
		Expect(u.Value()).To(Equal("http://127.0.0.1/cb"), "Node's, where python-dotenv skips the line")
		Expect(u.Line).To(Equal(2))
	})

	It("expands ${VAR} for python-dotenv with the environment first, as load_dotenv does", func() {
		env := func(k string) (string, bool) {
			if k == "PORT" {
				return "9000", true
			}
			return "", false
		}
		f := dotenv.Parse([]byte("PORT=8888\nHOST=127.0.0.1\nURI=http://${HOST}:${PORT}/callback\n"), ".env", env)
		u, _ := f.Lookup("URI")
		Expect(u.Python.Value).To(Equal("http://127.0.0.1:9000/callback"))
		Expect(u.Node.Value).To(Equal("http://${HOST}:${PORT}/callback"))
	})

	It("reports each line python-dotenv cannot parse as file:line, and reads the rest", func() {
		f := dotenv.Parse([]byte("A=1\nthis is not a pair\nB=\"x\" y\nC=3\n"), "app/.env", nil)
		Expect(f.Problems).To(HaveLen(2))
		Expect(f.Problems[0].Error()).To(HavePrefix("app/.env:2: python-dotenv cannot parse this line and skips it"))
		Expect(f.Problems[1].Line).To(Equal(3))
		c, _ := f.Lookup("C")
		Expect(c.Value()).To(Equal("3"))
	})

	It("refuses a file far larger than a .env file, with one problem", func() {
		f := dotenv.Parse(make([]byte, 2<<20), ".env", nil)
		Expect(f.Keys()).To(BeEmpty())
		Expect(f.Problems).To(HaveLen(1))
	})
})
