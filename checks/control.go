package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// EnvControlToken is the environment variable that holds a fake's control
// token when no --control-token is given.
const EnvControlToken = "SPOTCHECK_CONTROL_TOKEN"

// newControl is the control client for a fake at base. The embedded fake
// is driven through the same HTTP calls as one started by `spotcheck
// fake`, so both paths are the one tested.
func newControl(base, token string, hc *http.Client) *control.Client {
	return &control.Client{BaseURL: base, Token: token, HTTP: hc}
}

// controlErr words a control call's failure for a step or a command: a
// refusal with the fake's message; a transport failure as a
// TransportError, so that an unreachable fake is exit 3 like any other
// unreachable target.
func controlErr(ctx context.Context, err error) error {
	var ce *control.Error
	var ue *url.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return fmt.Errorf("the fake's control API refused: %s", refusal(ce))
	case errors.As(err, &ue):
		return &TransportError{Kind: classify(ctx, ue), Method: ue.Op, URL: ue.URL, Peer: wire.PeerOther, Err: ue,
			msg: fmt.Sprintf("fake control API at %s: %v", ue.URL, unwrapURLError(ue))}
	}
	return err
}

// refusal is the fake's message, or the status when it sent none.
func refusal(e *control.Error) string {
	if e.Message == "" {
		return fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	}
	return e.Message
}
