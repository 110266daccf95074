package webapi_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// playerError is a player refusal with its reason, pretty-printed as
// Spotify prints it (wire reference §5.9).
func playerError(status int, message, reason string) string {
	return fmt.Sprintf("{\n  \"error\" : {\n    \"status\" : %d,\n    \"message\" : \"%s\",\n    \"reason\" : \"%s\"\n  }\n}", status, message, reason)
}

var _ = Describe("the player", func() {
	var (
		e     *env
		alice string
	)
	BeforeEach(func() {
		e = newEnv()
		alice = "Bearer " + e.b.issue("web", "alice", allScopes...)
	})

	It("answers 204 with no body while no device is active", func() {
		for _, p := range []string{"/v1/me/player", "/v1/me/player/currently-playing"} {
			res := e.do("GET", p, alice, "")
			Expect(res.Status).To(Equal(204), p)
			Expect(res.Body).To(BeEmpty())
		}
	})

	It("lists the user's configured devices, none active", func() {
		d := decode[map[string][]map[string]any](e.do("GET", "/v1/me/player/devices", alice, "").Body)["devices"]
		Expect(d).To(HaveLen(2))
		Expect(d[0]).To(And(HaveKeyWithValue("id", aliceLaptop), HaveKeyWithValue("name", "Alice's Laptop"),
			HaveKeyWithValue("type", "Computer"), HaveKeyWithValue("is_active", false),
			HaveKeyWithValue("volume_percent", BeNumerically("==", 60)), HaveKeyWithValue("is_private_session", false),
			HaveKeyWithValue("is_restricted", false), HaveKeyWithValue("supports_volume", true)))
	})

	It("refuses a command without an active device: 404 NO_ACTIVE_DEVICE", func() {
		for _, p := range []string{"/v1/me/player/play", "/v1/me/player/pause"} {
			res := e.do("PUT", p, alice, "")
			Expect(res.Status).To(Equal(404), p)
			Expect(res.Body).To(Equal(playerError(404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE")))
		}
	})

	It("refuses a free user's commands: 403 PREMIUM_REQUIRED, whatever the device", func() {
		bob := "Bearer " + e.b.issue("web", "bob", allScopes...)
		for _, c := range []struct{ path, body string }{
			{"/v1/me/player/play", ""}, {"/v1/me/player/pause", ""},
			{"/v1/me/player", `{"device_ids":["` + bobPhone + `"]}`}, {"/v1/me/player/play?device_id=nope", ""},
		} {
			res := e.do("PUT", c.path, bob, c.body)
			Expect(res.Status).To(Equal(403), c.path)
			Expect(res.Body).To(Equal(playerError(403, "Player command failed: Premium required", "PREMIUM_REQUIRED")))
		}
		// Reading is no command: bob's phone is active, nothing loaded.
		st := decode[map[string]any](e.do("GET", "/v1/me/player", bob, "").Body)
		Expect(st).To(And(HaveKeyWithValue("is_playing", false), HaveKeyWithValue("item", BeNil())))
		Expect(st["device"]).To(HaveKeyWithValue("id", bobPhone))
	})

	It("says which device it cannot find", func() {
		res := e.do("PUT", "/v1/me/player/play?device_id=0000", alice, "")
		Expect(res.Status).To(Equal(404))
		Expect(res.Body).To(Equal(errorJSON(404, "Device not found")))
		res = e.do("PUT", "/v1/me/player", alice, `{"device_ids":["0000"]}`)
		Expect(res.Body).To(Equal(errorJSON(404, "Device not found")))
		res = e.do("PUT", "/v1/me/player", alice, `{"play":true}`)
		Expect(res.Status).To(Equal(400))
		Expect(res.Body).To(Equal(errorJSON(400, "Required field device_ids missing")))
	})

	It("plays, moves with the app's clock, pauses and transfers", func() {
		res := e.do("PUT", "/v1/me/player/play?device_id="+aliceLaptop, alice,
			`{"context_uri":"spotify:playlist:`+alicePublic+`","offset":{"position":1},"position_ms":1000}`)
		Expect(res.Status).To(Equal(204), res.Body)

		st := decode[map[string]any](e.do("GET", "/v1/me/player", alice, "").Body)
		Expect(st).To(And(HaveKeyWithValue("is_playing", true), HaveKeyWithValue("progress_ms", BeNumerically("==", 1000)),
			HaveKeyWithValue("currently_playing_type", "track"), HaveKeyWithValue("repeat_state", "off")))
		Expect(st["item"]).To(HaveKeyWithValue("id", mrBrightside))
		Expect(st["context"]).To(HaveKeyWithValue("uri", "spotify:playlist:"+alicePublic))
		Expect(st["device"]).To(And(HaveKeyWithValue("id", aliceLaptop), HaveKeyWithValue("is_active", true)))

		e.b.advance(e.b.clientID("web"), 30*time.Second)
		cur := decode[map[string]any](e.do("GET", "/v1/me/player/currently-playing", alice, "").Body)
		Expect(cur).To(HaveKeyWithValue("progress_ms", BeNumerically("==", 31000)))
		Expect(cur).NotTo(HaveKey("device"))

		Expect(e.do("PUT", "/v1/me/player/pause", alice, "").Status).To(Equal(204))
		e.b.advance(e.b.clientID("web"), time.Minute)
		st = decode[map[string]any](e.do("GET", "/v1/me/player", alice, "").Body)
		Expect(st).To(And(HaveKeyWithValue("is_playing", false), HaveKeyWithValue("progress_ms", BeNumerically("==", 31000))))

		Expect(e.do("PUT", "/v1/me/player", alice, `{"device_ids":["`+aliceSpeaker+`"],"play":true}`).Status).To(Equal(204))
		st = decode[map[string]any](e.do("GET", "/v1/me/player", alice, "").Body)
		Expect(st).To(HaveKeyWithValue("is_playing", true))
		Expect(st["device"]).To(HaveKeyWithValue("id", aliceSpeaker))
		Expect(st["item"]).To(HaveKeyWithValue("id", mrBrightside))
	})

	It("resumes with the last played track when nothing is loaded, and plays the uris given", func() {
		Expect(e.do("PUT", "/v1/me/player/play?device_id="+aliceLaptop, alice, "").Status).To(Equal(204))
		Expect(decode[map[string]any](e.do("GET", "/v1/me/player", alice, "").Body)["item"]).To(HaveKeyWithValue("id", mrBrightside))

		Expect(e.do("PUT", "/v1/me/player/play", alice, `{"uris":["spotify:track:`+levels+`"]}`).Status).To(Equal(204))
		Expect(decode[map[string]any](e.do("GET", "/v1/me/player", alice, "").Body)["item"]).To(HaveKeyWithValue("id", levels))

		// The state is the user's, whichever app asks.
		other := "Bearer " + e.b.issue("other", "alice", allScopes...)
		Expect(decode[map[string]any](e.do("GET", "/v1/me/player", other, "").Body)["item"]).To(HaveKeyWithValue("id", levels))

		res := e.do("PUT", "/v1/me/player/play?device_id="+aliceLaptop, alice, `{"uris":["spotify:track:nope"]}`)
		Expect(res.Body).To(Equal(errorJSON(400, "Invalid track uri: spotify:track:nope")))
		res = e.do("PUT", "/v1/me/player/play?device_id="+aliceLaptop, alice, `{"context_uri":"spotify:show:nope"}`)
		Expect(res.Body).To(Equal(errorJSON(400, "Invalid context uri")))
	})
})
