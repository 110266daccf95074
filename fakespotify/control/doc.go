// Package control is the fake's control API under /_spotcheck/: the
// types its requests and answers carry, and Client, the one Go client
// for it. The fake (package fakespotify) serves the API with these types;
// spotcheck's commands and runner, and anyone's Go tests, call it with
// Client. README.md ("Control endpoints") lists the endpoints.
//
// The API changes the fake's state, so it is guarded: a request that
// changes anything must say Content-Type: application/json (a web page
// cannot send that across origins without a CORS preflight, which the
// fake never grants), and it must reach the fake by a loopback name, or,
// when the fake has a control token, carry it as a bearer token.
package control
