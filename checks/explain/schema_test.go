package explain_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/spotcheck/spotcheck/checks/explain"
)

func compileSchema() *jsonschema.Schema {
	GinkgoHelper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(explain.Schema()))
	Expect(err).NotTo(HaveOccurred())
	c := jsonschema.NewCompiler()
	Expect(c.AddResource("explain.schema.json", doc)).To(Succeed())
	sch, err := c.Compile("explain.schema.json")
	Expect(err).NotTo(HaveOccurred())
	return sch
}

func validate(sch *jsonschema.Schema, res *explain.Result) {
	GinkgoHelper()
	var out bytes.Buffer
	Expect(explain.WriteJSON(&out, res)).To(Succeed())
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
	Expect(err).NotTo(HaveOccurred())
	Expect(sch.Validate(v)).To(Succeed(), out.String())
}

var _ = Describe("the JSON output", func() {
	It("ships the same schema file the package embeds", func() {
		onDisk, err := os.ReadFile("explain.schema.json")
		Expect(err).NotTo(HaveOccurred())
		Expect(explain.Schema()).To(Equal(onDisk))
	})

	It("validates against explain.schema.json for recognised, unrecognised and HAR results", func() {
		sch := compileSchema()
		inputs := []string{
			`{"error":"invalid_grant","error_description":"Invalid authorization code"}`,
			`Invalid redirect URI`,
			`hello world`,
			`{"error":"invalid_grant","error_description":"Bad Request"}`,
			"spotipy.exceptions.SpotifyException: http status: 429, code: -1 - /v1/search:\n Max Retries, reason: too many 429 error responses",
			`http://127.0.0.1:8888/callback?error=access_denied&state=x`,
			`https://accounts.spotify.com/authorize?client_id=undefined&response_type=token&redirect_uri=http%3A%2F%2Flocalhost%3A8888%2Fcallback&scope=openid`,
		}
		for _, in := range inputs {
			validate(sch, explainText(in))
		}
		files, _ := filepath.Glob("testdata/*.har")
		Expect(files).NotTo(BeEmpty())
		for _, f := range files {
			data, err := os.ReadFile(f)
			Expect(err).NotTo(HaveOccurred())
			res, err := explain.Default().Explain(data, explain.Options{Name: filepath.Base(f)})
			Expect(err).NotTo(HaveOccurred())
			validate(sch, res)
		}
	})

	It("carries schema_version, ranked causes with id, confidence, evidence and fix", func() {
		var out bytes.Buffer
		Expect(explain.WriteJSON(&out, explainText(`oauth2: "invalid_client" "Invalid client secret"`))).To(Succeed())
		var doc map[string]any
		Expect(json.Unmarshal(out.Bytes(), &doc)).To(Succeed())
		Expect(doc["schema_version"]).To(Equal(explain.SchemaVersion))
		causes := doc["causes"].([]any)
		first := causes[0].(map[string]any)
		Expect(first["id"]).To(Equal("client-secret-invalid"))
		Expect(first["confidence"]).To(BeNumerically(">=", 0.8))
		Expect(first["evidence"]).NotTo(BeEmpty())
		Expect(first["fix"]).NotTo(BeEmpty())
		Expect(first["source"]).To(Equal("golang.org/x/oauth2 RetrieveError"))
	})

	It("fails validation for a document that breaks the schema (the schema has teeth)", func() {
		sch := compileSchema()
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"schema_version":"1","tool":"spotcheck explain","input":{"name":"x","kind":"text","bytes":1},"recognised":true,"causes":[{"id":"Bad_ID","confidence":2}],"closest":[],"notes":[]}`)))
		Expect(err).NotTo(HaveOccurred())
		Expect(sch.Validate(v)).NotTo(Succeed())
	})
})
