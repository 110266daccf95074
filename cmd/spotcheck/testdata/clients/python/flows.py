"""Spotify's flows with Debian's python3-requests, unmodified, against
https://accounts.spotify.com and https://api.spotify.com: run by spotcheck's
tests under `spotcheck fake -- /usr/bin/python3 flows.py`, which reaches the
fake through HTTPS_PROXY and trusts its CA through REQUESTS_CA_BUNDLE.
"""
import os
import secrets
import sys
from urllib.parse import parse_qs, urlencode, urlparse

import requests

ACCOUNTS = "https://accounts.spotify.com"
API = "https://api.spotify.com/v1"


def main():
    cid, secret = os.environ["SPOTIFY_CLIENT_ID"], os.environ["SPOTIFY_CLIENT_SECRET"]
    redirect = os.environ["SPOTIFY_REDIRECT_URI"]
    s = requests.Session()

    r = s.post(ACCOUNTS + "/api/token", data={"grant_type": "client_credentials"}, auth=(cid, secret))
    r.raise_for_status()
    app_token = r.json()["access_token"]
    r = s.get(API + "/tracks/0VjIjW4GlUZAMYd2vXMi3b", headers={"Authorization": "Bearer " + app_token})
    r.raise_for_status()
    print("client credentials: track", r.json()["name"])

    state = secrets.token_urlsafe(16)
    q = urlencode({"client_id": cid, "response_type": "code", "redirect_uri": redirect,
                   "scope": "user-read-private user-read-email", "state": state})
    r = s.get(ACCOUNTS + "/authorize?" + q, allow_redirects=False)
    callback = parse_qs(urlparse(r.headers["Location"]).query)
    assert callback["state"] == [state], callback
    r = s.post(ACCOUNTS + "/api/token", auth=(cid, secret), data={
        "grant_type": "authorization_code", "code": callback["code"][0], "redirect_uri": redirect})
    r.raise_for_status()
    token = r.json()
    r = s.get(API + "/me", headers={"Authorization": "Bearer " + token["access_token"]})
    r.raise_for_status()
    print("authorization code: me", r.json()["id"])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line, as a CI log wants it
        print("flows failed:", repr(e), file=sys.stderr)
        sys.exit(1)
