package control_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("Client", func() {
	ctx := context.Background()
	var srv *fakespotify.Server
	var ctl *control.Client
	fixed := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	BeforeEach(func() {
		var err error
		srv, err = fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithClock(func() time.Time { return fixed }))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		ctl = &control.Client{BaseURL: srv.URL + "/"}
	})

	It("drives every control endpoint of the fake", func() {
		on, err := ctl.Health(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(on).To(BeTrue())

		app, err := ctl.CloneApp(ctx, "web", control.AppOverrides{Consent: config.ConsentAuto, AutoUser: "bob"})
		Expect(err).NotTo(HaveOccurred())
		Expect(app.ClientSecret).NotTo(BeEmpty())
		Expect(app.AutoUser).To(Equal("bob"))

		now, err := ctl.AdvanceClock(ctx, app.ClientID, time.Hour)
		Expect(err).NotTo(HaveOccurred())
		Expect(now).To(BeTemporally("==", fixed.Add(time.Hour)))
		Expect(ctl.Now(ctx, app.ClientID)).To(BeTemporally("==", fixed.Add(time.Hour)))
		Expect(ctl.Now(ctx, "")).To(BeTemporally("==", fixed))
		Expect(srv.NowFor(app.ClientID).Sub(srv.Now())).To(Equal(time.Hour))

		pol, err := ctl.SetPolicy(ctx, app.ClientID, config.Policies{Refresh: wire.RefreshPKCERotate})
		Expect(err).NotTo(HaveOccurred())
		Expect(pol.Refresh).To(Equal(wire.RefreshPKCERotate))
		Expect(pol.VerifierMessage).To(Equal(wire.VerifierIncorrect), "the others stay as they were")
		Expect(ctl.Policies(ctx, app.ClientID)).To(Equal(srv.Policies(app.ClientID)))
		Expect(ctl.Policies(ctx, "")).To(HaveField("Refresh", wire.Refresh2026))

		Expect(ctl.Inject(ctx, control.Fault{Path: "/v1/me", ClientID: app.ClientID, Status: 429})).To(Succeed())
		Expect(ctl.ClearFaults(ctx, app.ClientID)).To(Succeed())
		n, err := ctl.Revoke(ctx, "bob", app.ClientID)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(Equal(0), "bob never authorized this app")

		resp, err := http.Get(srv.URL + "/authorize?" + url.Values{"client_id": {app.ClientID}, "response_type": {"code"}}.Encode())
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		reqs, err := ctl.Requests(ctx, app.ClientID)
		Expect(err).NotTo(HaveOccurred())
		Expect(reqs).To(HaveLen(1))
		Expect(reqs[0].Endpoint).To(Equal(wire.EndpointAuthorize))

		g, err := ctl.Grade(ctx, app.Name, grade.Options{Skip: []string{"state-missing"}}, false)
		Expect(err).NotTo(HaveOccurred())
		Expect(g.Kind).To(Equal("grade"))
		Expect(g.Window.Requests).To(Equal(1))
		for _, c := range g.Checks {
			if c.ID == "state-missing" {
				Expect(c.Status).To(Equal(grade.StatusSkip), "the option reached the fake")
			}
		}
		_, err = ctl.Grade(ctx, app.ClientID, grade.Options{}, true)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Requests(app.ClientID)).To(BeEmpty(), "a reset starts a new window")

		resp, err = http.Get(srv.URL + "/authorize?client_id=" + app.ClientID)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(ctl.ResetRequests(ctx, app.ClientID)).To(Succeed())
		Expect(srv.Requests(app.ClientID)).To(BeEmpty())

		apps, err := ctl.Apps(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(apps).To(HaveLen(6))
		Expect(ctl.DeleteApp(ctx, app.ClientID)).To(Succeed())
		_, ok := srv.App(app.ClientID)
		Expect(ok).To(BeFalse())
	})

	It("returns the fake's refusal as an *Error", func() {
		_, err := ctl.CloneApp(ctx, "nope", control.AppOverrides{})
		var ce *control.Error
		Expect(errors.As(err, &ce)).To(BeTrue())
		Expect(ce.Status).To(Equal(http.StatusBadRequest))
		Expect(ce.Message).To(Equal(`no app named or with client id "nope"`))
		_, err = ctl.Grade(ctx, "nope", grade.Options{}, false)
		Expect(errors.As(err, &ce)).To(BeTrue())
		Expect(ce.Status).To(Equal(http.StatusNotFound))
	})

	It("says a fake with its control API off is off, and a dead one unreachable", func() {
		off, err := fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithoutControl())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(off.Close)
		on, err := (&control.Client{BaseURL: off.URL}).Health(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(on).To(BeFalse())

		dead, err := fakespotify.Start(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		Expect(dead.Close()).To(Succeed())
		_, err = (&control.Client{BaseURL: dead.URL}).Health(ctx)
		var ue *url.Error
		Expect(errors.As(err, &ue)).To(BeTrue(), "%v", err)
	})

	It("encodes grade options as the fake reads them", func() {
		o := grade.Options{LateExchange: 90 * time.Second, EarlyRefresh: 0.75, RefreshesPerMinute: 10, MaxEvidence: 20, Skip: []string{"refresh-storm", "state-missing"}}
		q := control.GradeQuery("web", o)
		Expect(q.Get("client_id")).To(Equal("web"))
		back, err := control.ParseGradeQuery(q, grade.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(back).To(Equal(o))
		Expect(control.GradeQuery("", grade.Options{})).To(BeEmpty(), "zero options: the fake's own")
	})
})
