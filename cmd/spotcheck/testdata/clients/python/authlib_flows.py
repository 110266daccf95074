"""Spotify's flows with Debian's python3-authlib (its requests client),
unmodified: run by spotcheck's tests under `spotcheck fake --
/usr/bin/python3 authlib_flows.py`, through HTTPS_PROXY and
REQUESTS_CA_BUNDLE.
"""
import os
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session

TOKEN_URL = "https://accounts.spotify.com/api/token"
AUTHORIZE_URL = "https://accounts.spotify.com/authorize"
API = "https://api.spotify.com/v1"


def main():
    cid, secret = os.environ["SPOTIFY_CLIENT_ID"], os.environ["SPOTIFY_CLIENT_SECRET"]
    redirect = os.environ["SPOTIFY_REDIRECT_URI"]

    app = OAuth2Session(cid, secret)
    app.fetch_token(TOKEN_URL, grant_type="client_credentials")
    r = app.get(API + "/tracks/0VjIjW4GlUZAMYd2vXMi3b")
    r.raise_for_status()
    print("client credentials: track", r.json()["name"])

    user = OAuth2Session(cid, secret, scope="user-read-private user-read-email", redirect_uri=redirect)
    url, state = user.create_authorization_url(AUTHORIZE_URL)
    callback = requests.get(url, allow_redirects=False).headers["Location"]
    user.fetch_token(TOKEN_URL, authorization_response=callback, state=state)
    r = user.get(API + "/me")
    r.raise_for_status()
    print("authorization code: me", r.json()["id"])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        print("flows failed:", repr(e), file=sys.stderr)
        sys.exit(1)
