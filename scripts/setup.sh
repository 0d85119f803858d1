#!/usr/bin/env bash
# Prepares a machine to run mes-e2e and its tests: Node >= 22.12, a Docker engine, the container
# images the defaults name, and the npm dependencies. Idempotent: each step is skipped when done.
#
#   MES_E2E_SKIP_DOCKER=1         skip the Docker engine and images (broker and database given by URL)
#   MES_E2E_CHROMIUM=PATH         the Chromium the dashboard steps and tests launch (default: the system's)
#   MES_E2E_OFFLINE_IMAGES=PATH   script that builds the images without a registry
#                                 (default: ../shared/tools/offline-images.sh beside the checkout)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

wait_for() { # seconds description command... : polls until the command succeeds or the deadline passes
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
  say "$what"
}

ensure_node() {
  PATH="$(sh scripts/node24)"
  export PATH
  say "node $(node --version) at $(command -v node)"
}

ensure_docker_engine() {
  if docker info >/dev/null 2>&1; then say "docker engine answers"; return; fi
  if ! command -v dockerd >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
      || die "no Docker engine answers and none is installed: install Docker (https://docs.docker.com/engine/install/) and start it, or set MES_E2E_SKIP_DOCKER=1 and give the broker and database by URL"
    say "installing Debian's docker.io"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  [ "$(id -u)" = 0 ] || die "the Docker engine is installed but not running: start it (sudo systemctl start docker)"
  say "starting dockerd (log: /var/log/mes-e2e-dockerd.log)"
  # Detached with every stream redirected, so that it never holds a CI job's output open.
  setsid dockerd </dev/null >/var/log/mes-e2e-dockerd.log 2>&1 &
  wait_for 60 "docker engine answers" docker info || die "dockerd did not answer within 60 s: see /var/log/mes-e2e-dockerd.log"
}

# The project's default images, and the registry the promotion tests push to (`mes-e2e promote`).
default_images() {
  node -e 'for (const image of Object.values(require("./src/config/default-images.json"))) console.log(image)'
  echo registry:2
}

ensure_images() {
  local missing=()
  for image in $(default_images); do
    docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  [ "${#missing[@]}" -gt 0 ] || { say "images present: $(default_images | tr '\n' ' ')"; return; }
  for image in "${missing[@]}"; do
    say "pulling $image"
    if ! timeout 120 docker pull -q "$image" >/dev/null 2>&1; then
      build_offline_images "$image"
      return
    fi
  done
}

build_offline_images() {
  local script="${MES_E2E_OFFLINE_IMAGES:-../shared/tools/offline-images.sh}"
  [ -f "$script" ] || die "could not pull $1 and no offline image script at $script: give a registry, load the images (docker load), or set MES_E2E_OFFLINE_IMAGES"
  say "no registry answers for $1: building stand-ins under the official names with $script"
  bash "$script" >/tmp/mes-e2e-offline-images.log 2>&1 || die "offline image build failed: see /tmp/mes-e2e-offline-images.log"
  say "images built: $(default_images | tr '\n' ' ')"
}

ensure_browser() {
  # The dashboard tests and @ui steps drive a real Chromium; Playwright cannot download one here.
  local candidate
  for candidate in "${MES_E2E_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then say "chromium at $candidate"; return; fi
  done
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
    || die "no Chromium found: install one (Debian: apt-get install chromium) or give its path in MES_E2E_CHROMIUM"
  say "installing Debian's chromium"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  say "chromium at /usr/bin/chromium"
}

ensure_dependencies() {
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  if [ -f services/package-lock.json ]; then
    npm ci --prefix services --no-audit --no-fund --loglevel=error
  fi
}

ensure_node
if [ "${MES_E2E_SKIP_DOCKER:-0}" != 1 ]; then
  ensure_docker_engine
  ensure_images
fi
ensure_browser
ensure_dependencies
say "ready. Run the tests with: npm test"
