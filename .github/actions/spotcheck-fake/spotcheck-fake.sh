#!/usr/bin/env bash
# The GitHub Action spotcheck-fake (action.yml beside this file), in two
# steps so that a test can run each with bash:
#
#   spotcheck-fake.sh install   download the release archive for this runner,
#                               check it against the release's checksums.txt,
#                               unpack it and put spotcheck on GITHUB_PATH
#   spotcheck-fake.sh start     start `spotcheck fake` in the background (PID
#                               and log files), wait until it answers, export
#                               its variables to GITHUB_ENV, set the outputs
#
# Inputs arrive as INPUT_* variables (action.yml maps them). The runner sets
# RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH
# and GITHUB_STEP_SUMMARY. SPOTCHECK_RELEASES_URL replaces
# https://github.com/spotcheck/spotcheck/releases (a mirror, or a test's
# local server).
set -euo pipefail

releases=${SPOTCHECK_RELEASES_URL:-https://github.com/spotcheck/spotcheck/releases}
home="${RUNNER_TEMP:?RUNNER_TEMP is not set}/spotcheck"

fail() {
  echo "::error title=spotcheck-fake::$*"
  exit 1
}

# platform sets plat to the release archive's OS and arch for this runner:
# Go's names, as .goreleaser.yaml writes them. (It and resolve_version set
# variables rather than print, so that fail ends the script, not a subshell.)
platform() {
  local os arch
  case "${RUNNER_OS:-$(uname -s)}" in
    Linux) os=linux ;;
    macOS | Darwin) os=darwin ;;
    Windows | MINGW* | MSYS*) fail "Windows runners are not supported: run the fake on a Linux or macOS runner, or as a service container" ;;
    *) fail "unknown runner OS ${RUNNER_OS:-$(uname -s)}" ;;
  esac
  case "${RUNNER_ARCH:-$(uname -m)}" in
    X64 | x86_64 | amd64) arch=amd64 ;;
    ARM64 | arm64 | aarch64) arch=arm64 ;;
    *) fail "no spotcheck release for runner architecture ${RUNNER_ARCH:-$(uname -m)} (amd64 and arm64 are built)" ;;
  esac
  plat="${os}_${arch}"
}

# resolve_version sets version to the release's version without its v:
# "latest" follows GitHub's redirect from /releases/latest to the newest
# release's tag.
resolve_version() {
  local v=${INPUT_VERSION:-latest} tag
  if [ "$v" = latest ]; then
    tag=$(curl -fsSL --retry 3 -o /dev/null -w '%{url_effective}' "$releases/latest") ||
      fail "cannot find the latest release at $releases/latest"
    v=${tag##*/}
    case "$v" in v[0-9]*) ;; *) fail "$releases/latest did not lead to a release tag (got $tag)" ;; esac
  fi
  version=${v#v}
}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

install() {
  local version plat archive dir want got
  resolve_version
  platform
  archive="spotcheck_${version}_${plat}.tar.gz"
  dir="$home/$version"
  mkdir -p "$dir/download"
  echo "downloading $archive from $releases/download/v$version/"
  curl -fsSL --retry 3 -o "$dir/download/checksums.txt" "$releases/download/v$version/checksums.txt" ||
    fail "cannot download checksums.txt of spotcheck $version from $releases/download/v$version/"
  curl -fsSL --retry 3 -o "$dir/download/$archive" "$releases/download/v$version/$archive" ||
    fail "cannot download $archive from $releases/download/v$version/"
  want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$dir/download/checksums.txt")
  [ -n "$want" ] || fail "checksums.txt of spotcheck $version lists no $archive"
  got=$(sha256 "$dir/download/$archive")
  if [ "$want" != "$got" ]; then
    rm -f "$dir/download/$archive"
    fail "checksum mismatch for $archive: checksums.txt says $want, the download is $got"
  fi
  tar -xzf "$dir/download/$archive" -C "$dir" spotcheck
  echo "$dir" >>"$GITHUB_PATH"
  echo "spotcheck=$dir/spotcheck" >>"$GITHUB_OUTPUT"
  "$dir/spotcheck" --version
}

# banner_app prints the banner line of the app named $2 in the banner file
# $1: "app NAME client_id ID mode MODE redirect_uris URI…".
banner_app() {
  awk -v name="$2" '$1 == "app" && $2 == name { print; exit }' "$1"
}

start() {
  local bin=${SPOTCHECK_BIN:-spotcheck} addr=${INPUT_ADDR:-127.0.0.1:8787} app=${INPUT_APP:-web}
  local token=${INPUT_CONTROL_TOKEN:-} out="$home/fake.out" log="$home/fake.log" pidfile="$home/fake.pid"
  local args=(fake --addr "$addr") pid waiter status line url
  mkdir -p "$home"
  if [ -z "$token" ]; then
    # 32 random bytes, hex: the control API's token for this job only.
    token=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
  fi
  echo "::add-mask::$token"
  [ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
  [ -z "${INPUT_CONSENT:-}" ] || args+=(--consent "$INPUT_CONSENT")

  SPOTCHECK_CONTROL_TOKEN=$token nohup "$bin" "${args[@]}" >"$out" 2>"$log" </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"

  # Wait for the fake to answer, or to exit (a bad config exits at once).
  "$bin" wait "http://$addr" --timeout "${INPUT_TIMEOUT:-30s}" &
  waiter=$!
  while kill -0 "$waiter" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      kill "$waiter" 2>/dev/null || true
      status=0
      wait "$pid" || status=$?
      cat "$log" >&2
      fail "spotcheck fake exited with status $status before it answered: $(tail -n 1 "$log")"
    fi
    sleep 0.1
  done
  status=0
  wait "$waiter" || status=$?
  if [ "$status" != 0 ]; then
    kill "$pid" 2>/dev/null || true
    cat "$log" >&2
    fail "spotcheck fake did not answer at http://$addr within ${INPUT_TIMEOUT:-30s}"
  fi
  # The banner is complete once the fake logs that it listens.
  for _ in $(seq 50); do
    grep -q 'fake Spotify listening' "$log" && break
    sleep 0.1
  done
  cat "$out"

  url=$(sed -n 's/^export SPOTIFY_ACCOUNTS_URL=//p' "$out")
  line=$(banner_app "$out" "$app")
  if [ -z "$line" ]; then
    kill "$pid" 2>/dev/null || true
    fail "app $app is not in the fake's configuration (apps: $(awk '$1 == "app" { printf "%s ", $2 }' "$out"))"
  fi
  {
    sed -n 's/^export //p' "$out"
    echo "SPOTCHECK_CONTROL_TOKEN=$token"
    echo "SPOTCHECK_FAKE_PID=$pid"
    echo "SPOTCHECK_FAKE_LOG=$log"
    echo "SPOTCHECK_APP=$app"
    echo "SPOTCHECK_FAIL_ON=${INPUT_FAIL_ON:-error}"
    echo "SPOTIFY_CLIENT_ID=$(echo "$line" | awk '{ print $4 }')"
    echo "SPOTIFY_REDIRECT_URI=$(echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($i == "redirect_uris") { print $(i + 1); exit } }')"
  } >>"$GITHUB_ENV"
  {
    echo "url=$url"
    echo "pid=$pid"
    echo "log=$log"
  } >>"$GITHUB_OUTPUT"
  {
    echo "### spotcheck fake"
    echo
    echo "Fake Spotify at \`$url\` (pid $pid, log \`$log\`), app \`$app\`, grade fails on \`${INPUT_FAIL_ON:-error}\`."
    echo
    echo '```'
    grep -E '^(app |consent:|control)' "$out"
    echo '```'
  } >>"$GITHUB_STEP_SUMMARY"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  *)
    echo "usage: $0 install|start" >&2
    exit 2
    ;;
esac
