package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Record redacts ex and adds it to the transcript with the next sequence
// number, learning the secrets it carries first. The browser driver records
// its navigations this way (Actor wire.ActorBrowser); an empty Peer is
// classified from the URL. It returns the stored copy.
func (c *Client) Record(ex wire.Exchange) wire.Exchange {
	ex.Seq = int(c.seq.Add(1))
	if ex.Actor == "" {
		ex.Actor = wire.ActorBrowser
	}
	if ex.Peer == "" {
		ex.Peer = c.PeerOf(ex.URL)
	}
	if ex.Started.IsZero() {
		ex.Started = c.cfg.Now()
	}
	c.learnSent(sent{url: ex.URL, header: ex.RequestHeaders, body: []byte(ex.RequestBody)})
	c.learnReceived(received{header: ex.ResponseHeaders, body: []byte(ex.ResponseBody)})
	ex = c.redactExchange(ex, false)
	ex.Error = c.secrets.String(ex.Error)
	c.store(ex)
	return cloneExchange(ex)
}

func (c *Client) store(ex wire.Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Exchanges finish out of order under concurrency; keep Seq order.
	i := len(c.transcript)
	for i > 0 && c.transcript[i-1].Seq > ex.Seq {
		i--
	}
	c.transcript = slices.Insert(c.transcript, i, ex)
}

// Transcript returns copies of every recorded exchange, in Seq order.
func (c *Client) Transcript() []wire.Exchange { return c.Since(0) }

// Since returns copies of the recorded exchanges with Seq > seq: take
// LastSeq before a step and Since after it to get the step's exchanges.
func (c *Client) Since(seq int) []wire.Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := sort.Search(len(c.transcript), func(i int) bool { return c.transcript[i].Seq > seq })
	out := make([]wire.Exchange, 0, len(c.transcript)-i)
	for _, ex := range c.transcript[i:] {
		out = append(out, cloneExchange(ex))
	}
	return out
}

// Take returns the recorded exchanges and forgets them.
func (c *Client) Take() []wire.Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.transcript
	c.transcript = nil
	return out
}

// LastSeq is the sequence number of the latest exchange started.
func (c *Client) LastSeq() int { return int(c.seq.Load()) }

func cloneExchange(ex wire.Exchange) wire.Exchange {
	ex.RequestHeaders = ex.RequestHeaders.Clone()
	ex.ResponseHeaders = ex.ResponseHeaders.Clone()
	return ex
}

// learnSent registers the secrets a request carries, so that they are
// scrubbed wherever else they show up (an echo in an error, a later body).
func (c *Client) learnSent(s sent) {
	c.LearnURL(s.url)
	for k, vs := range s.header {
		if !strings.EqualFold(k, "Authorization") && !strings.EqualFold(k, "Proxy-Authorization") {
			continue
		}
		for _, v := range vs {
			c.learnAuthorization(v)
		}
	}
	c.learnBody(s.body, true)
}

func (c *Client) learnReceived(r received) {
	for k, vs := range r.header {
		if strings.EqualFold(k, "Location") {
			for _, v := range vs {
				c.LearnURL(v)
			}
		}
	}
	c.learnBody(r.body, strings.Contains(strings.ToLower(r.header.Get("Content-Type")), "x-www-form-urlencoded"))
}

func (c *Client) learnAuthorization(v string) {
	_, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		c.secrets.Add(strings.TrimSpace(v))
		return
	}
	c.secrets.Add(strings.TrimSpace(cred))
	// Decode what a lenient server would: line breaks removed, any alphabet.
	if b, _ := wire.ParseBasic(v); b.Decoded {
		c.secrets.AddClientCredentials(b.ClientID, b.ClientSecret)
	}
}

// learnBody registers the sensitive fields of a JSON body, and of a form
// body when asForm is set: a request we built, or a response declared a
// form (an HTML page full of "&code=" would otherwise teach us junk).
func (c *Client) learnBody(body []byte, asForm bool) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return
	}
	if t[0] == '{' || t[0] == '[' {
		var v any
		if json.Unmarshal(t, &v) == nil {
			c.learnJSON(v)
		}
		return
	}
	if asForm {
		c.learnForm(string(body))
	}
}

func (c *Client) learnJSON(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && redact.SensitiveFields[k] {
				c.secrets.Add(s)
				continue
			}
			c.learnJSON(x)
		}
	case []any:
		for _, x := range v {
			c.learnJSON(x)
		}
	}
}

func (c *Client) learnForm(form string) {
	if form == "" {
		return
	}
	// ParseQuery keeps the pairs it could read when others are malformed.
	values, _ := url.ParseQuery(form)
	for k, vs := range values {
		if redact.SensitiveFields[k] {
			c.secrets.Add(vs...)
		}
	}
}

// redactExchange scrubs every field of ex with the client's set.
func (c *Client) redactExchange(ex wire.Exchange, truncated bool) wire.Exchange {
	ex.URL = c.secrets.URL(ex.URL)
	ex.RequestBody = c.transcriptBody(ex.RequestHeaders.Get("Content-Type"), ex.RequestBody, false)
	ex.ResponseBody = c.transcriptBody(ex.ResponseHeaders.Get("Content-Type"), ex.ResponseBody, truncated)
	ex.RequestHeaders = c.secrets.Header(ex.RequestHeaders)
	ex.ResponseHeaders = c.secrets.Header(ex.ResponseHeaders)
	return ex
}

// transcriptBody redacts a body and cuts it to TranscriptBodyLimit. It
// redacts first, so that the cut cannot leave half a secret unrecognised.
func (c *Client) transcriptBody(contentType, body string, truncated bool) string {
	if body == "" {
		return ""
	}
	ct := strings.ToLower(contentType)
	for _, binary := range []string{"image/", "audio/", "video/", "application/octet-stream", "font/"} {
		if strings.HasPrefix(ct, binary) {
			return fmt.Sprintf("[%d bytes of %s, not shown]", len(body), contentType)
		}
	}
	total := len(body)
	out := c.secrets.Body(contentType, body)
	if len(out) > TranscriptBodyLimit {
		cut := TranscriptBodyLimit
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + fmt.Sprintf("\n[spotcheck: body truncated: first %d bytes of %d shown]", cut, total)
	} else if truncated {
		out += fmt.Sprintf("\n[spotcheck: body truncated: the client read only the first %d bytes]", total)
	}
	return out
}
