#!/bin/sh
# make soak's driver (issue 13 target 2): does `spotcheck fake`, started as
# users start it, keep its memory flat under sustained full-throttle load?
#
#   .bench/soak.sh SPOTCHECK CLIBENCH
#
# SPOTCHECK is the built binary; CLIBENCH is make bench-cli's
# cmd/spotcheck/internal/clibench built, whose -serve-empty is the empty
# net/http handler, the baseline measured in the same run. Loopback only.
# It starts `spotcheck fake` with its default flags (only the port is a free
# one, and the request log on stderr goes to /dev/null, still formatted),
# clones the built-in app `web` through the control API (consent auto as
# alice; the clone's secret is never printed), takes a user token and an
# app token, measures the empty handler for SOAK_BASELINE, then drives
# client-credentials requests with hey (SOAK_CONNECTIONS keep-alive
# connections, Basic credentials sent with -H) for SOAK_DURATION while
# sampling the fake's RSS every SOAK_INTERVAL seconds. Then it checks that
# the tokens taken at the start still work (the soak must be shorter than
# their hour) and that revoking the grant stops the user's access and
# refresh tokens.
#
# It prints the samples, min / max and the largest drift from the first
# sample after SOAK_WARMUP seconds, and fails (exit 1) when the drift is
# beyond ±SOAK_TOLERANCE % or a check fails; exit 2 on bad usage.
set -eu

spotcheck=${1:?usage: soak.sh SPOTCHECK CLIBENCH}
clibench=${2:?usage: soak.sh SPOTCHECK CLIBENCH}
duration=${SOAK_DURATION:-10m}
interval=${SOAK_INTERVAL:-15}
warmup=${SOAK_WARMUP:-30}
tolerance=${SOAK_TOLERANCE:-10}
conns=${SOAK_CONNECTIONS:-32}
baseline=${SOAK_BASELINE:-15s}

seconds() { # a Go-style duration of one unit (90s, 10m, 1h) in seconds
	case $1 in
	*h) echo $((${1%h} * 3600)) ;;
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "soak: SOAK_DURATION=$1: say 90s, 10m or 1h" >&2; exit 2 ;;
	esac
}
total=$(seconds "$duration")
if [ "$total" -ge 3600 ]; then
	echo "soak: SOAK_DURATION=$duration: the tokens taken at the start live an hour; keep it under 1h" >&2
	exit 2
fi
command -v hey >/dev/null || { echo "soak: hey is missing (sudo apt-get install -y hey)" >&2; exit 2; }
command -v curl >/dev/null || { echo "soak: curl is missing (sudo apt-get install -y curl)" >&2; exit 2; }

work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_line FILE PATTERN: the first line of FILE matching PATTERN, once a
# starting process has written it (10 s at most).
wait_line() {
	i=0
	while [ $i -lt 100 ]; do
		if line=$(grep -m1 -e "$2" "$1" 2>/dev/null); then
			echo "$line"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "soak: no '$2' from $1 after 10 s" >&2
	return 1
}

"$spotcheck" fake --addr 127.0.0.1:0 >"$work/banner" 2>/dev/null &
fake=$!
pids="$pids $fake"
"$clibench" -serve-empty 127.0.0.1:0 >"$work/empty" 2>&1 &
pids="$pids $!"
url=$(wait_line "$work/banner" '^fake Spotify at ' | sed 's/^fake Spotify at \([^ ]*\).*/\1/')
emptyurl=$(wait_line "$work/empty" '^empty handler at ' | sed 's/^empty handler at //')

field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p"; }
app=$(curl -sf -X POST -H 'Content-Type: application/json' \
	-d '{"from":"web","consent":"auto","auto_user":"alice"}' "$url/_spotcheck/apps")
id=$(echo "$app" | field client_id)
basic="Basic $(printf '%s:%s' "$id" "$(echo "$app" | field client_secret)" | base64 | tr -d '\n')"
redirect=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback
code=$(curl -s -o /dev/null -w '%{redirect_url}' \
	"$url/authorize?client_id=$id&response_type=code&redirect_uri=$redirect&scope=user-read-email%20user-read-private" |
	sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
tokens=$(curl -sf -H "Authorization: $basic" -d "grant_type=authorization_code&code=$code&redirect_uri=$redirect" "$url/api/token")
access=$(echo "$tokens" | field access_token)
refresh=$(echo "$tokens" | field refresh_token)
apptoken=$(curl -sf -H "Authorization: $basic" -d grant_type=client_credentials "$url/api/token" | field access_token)
[ -n "$access" ] && [ -n "$refresh" ] && [ -n "$apptoken" ] || { echo "soak: could not take the start tokens" >&2; exit 1; }

rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$fake/status"; }
# hey counts requests/s over every request, but keeps at most 1,000,000
# results for its latencies and status codes.
summary() { # FILE: requests/s, p99 and the status codes hey saw
	rps=$(awk '/Requests\/sec:/ { printf "%.0f", $2 }' "$1")
	p99=$(awk '/ 99% in / { printf "%.2f ms", $3 * 1000 }' "$1")
	codes=$(sed -n 's/^[[:space:]]*\[\([0-9]*\)\][[:space:]]*\([0-9]*\) responses.*/\1:\2/p' "$1" | tr '\n' ' ')
	echo "$rps req/s, p99 $p99, status $codes"
}
load() { # URL SECONDS OUT
	hey -z "$2" -c "$conns" -m POST -T application/x-www-form-urlencoded -H "Authorization: $basic" \
		-d grant_type=client_credentials "$1/api/token" >"$3" 2>&1
}

echo "soak: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; hey -c $conns"
load "$emptyurl" "$baseline" "$work/hey-empty"
echo "empty handler, $baseline: $(summary "$work/hey-empty")"

echo "spotcheck fake, $duration of client-credentials tokens; RSS every ${interval}s:"
load "$url" "${total}s" "$work/hey-fake" &
hey=$!
pids="$pids $hey"
t=0
echo "$t $(rss)" >"$work/samples"
echo "  ${t}s $(rss) MiB"
while kill -0 "$hey" 2>/dev/null; do
	sleep "$interval"
	t=$((t + interval))
	kill -0 "$hey" 2>/dev/null || break
	r=$(rss)
	echo "$t $r" >>"$work/samples"
	echo "  ${t}s $r MiB"
done
wait "$hey" || true
echo "spotcheck fake: $(summary "$work/hey-fake")"
echo "soak: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"

failed=0
check() { # WHAT WANT GOT
	if [ "$2" = "$3" ]; then echo "  ok: $1"; else echo "  FAILED: $1: want $2, got $3"; failed=1; fi
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
echo "tokens:"
check "the user token taken at the start still works" 200 "$(status -H "Authorization: Bearer $access" "$url/v1/me")"
check "the app token taken at the start still works" 200 "$(status -H "Authorization: Bearer $apptoken" "$url/v1/search?q=a&type=track")"
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -d "{\"user\":\"alice\",\"client_id\":\"$id\"}" "$url/_spotcheck/revoke"
check "revoked: the access token stops working" 401 "$(status -H "Authorization: Bearer $access" "$url/v1/me")"
check "revoked: the refresh token is refused" 'Refresh token revoked' \
	"$(curl -s -H "Authorization: $basic" -d "grant_type=refresh_token&refresh_token=$refresh" "$url/api/token" | field error_description)"

awk -v warmup="$warmup" -v tol="$tolerance" '
	$1 >= warmup && base == "" { base = $2; at = $1 }
	base != "" { n++; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
	END {
		if (base == "") { print "RSS: no sample after the " warmup "s warm-up: make SOAK_DURATION longer"; exit 1 }
		up = (max - base) / base * 100; down = (base - min) / base * 100
		drift = up > down ? up : down
		printf "RSS after the %ds warm-up (%d samples): first %.1f MiB at %ds, min %.1f, max %.1f: %+.1f%% / -%.1f%% (tolerance ±%s%%)\n", warmup, n, base, at, min, max, up, down, tol
		exit (drift > tol ? 1 : 0)
	}' "$work/samples" || failed=1
if [ "$failed" -ne 0 ]; then
	echo "soak: FAILED"
	exit 1
fi
echo "soak: ok"
