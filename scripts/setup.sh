#!/usr/bin/env bash
# Idempotent machine set-up, used by the README commands (scripts/test.sh,
# scripts/run-demo.sh) and by CI (.ci/run -> scripts/test.sh).
#
#   bash scripts/setup.sh
#
# - installs the Debian packages in APT_PACKAGES that are missing
#   (dpkg status check; `apt-get update` at most once, only if something is missing)
# - `npm ci` for the node helpers of the tests when their lock file exists and
#   node_modules is missing or older than the lock
# - checks that the .NET SDK is version 10 or newer
# A second run on a set-up machine installs nothing and takes well under a second.
set -euo pipefail

# Debian packages the project needs on every machine (dev, CI, demo). Add new ones here.
# postgresql: the audit log's PostgreSQL tests start a private server of their own
# (initdb + pg_ctl from /usr/lib/postgresql/VERSION/bin); the system service is not used.
# sip-tester (sipp), baresip-core, tshark: the SIP leg's interop tests call VoiceBridge from real
# SIP phones on loopback and read the RTP off the wire. chromium: the WebRTC leg's interop tests
# drive Debian's headless Chromium (never a downloaded browser). redis-server: the scale-out tests
# start a private server of their own on a free loopback port; the system service is not used.
# kamailio: the SIP dispatcher of docker/compose.yaml, run with docker/kamailio/kamailio.cfg in front
# of two serve processes by KamailioDispatchInteropTests; the system service is not used.
# python3: scripts/lib/wire_hops.py (peer-compare's WIRE=1), checked by WireHopsScriptTests.
APT_PACKAGES=(espeak-ng sox libsox-fmt-all flite pocketsphinx pocketsphinx-en-us postgresql sip-tester baresip-core tshark chromium redis-server kamailio python3)
# Installed only when the node helpers exist and npm is not on the machine yet.
APT_NODE_PACKAGES=(nodejs npm)
MIN_DOTNET_MAJOR=10

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_DIR="$ROOT/tests/VoiceBridge.Tests/node"

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "not root and no sudo: cannot install packages"
  SUDO=(sudo)
fi

apt_updated=0
is_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}
apt_install_missing() {
  local missing=() p
  for p in "$@"; do
    is_installed "$p" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "apt packages present: $*"
    return 0
  fi
  command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${missing[*]}"
  if ((apt_updated == 0)); then
    log "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- 1. Debian packages ------------------------------------------------------
# tshark asks whether non-root users may capture; answer no, so the install never prompts.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${SUDO[@]}" debconf-set-selections 2>/dev/null || true
apt_install_missing "${APT_PACKAGES[@]}"

# --- 2. node helpers of the tests (optional folder) ---------------------------
lock="$NODE_DIR/package-lock.json"
if [[ -f $lock ]]; then
  # npm writes node_modules/.package-lock.json on every install: use it as the
  # "installed at" stamp, falling back to the folder itself.
  stamp="$NODE_DIR/node_modules/.package-lock.json"
  [[ -e $stamp ]] || stamp="$NODE_DIR/node_modules"
  if [[ ! -d $NODE_DIR/node_modules || $lock -nt $stamp ]]; then
    if ! command -v npm >/dev/null; then
      apt_install_missing "${APT_NODE_PACKAGES[@]}"
    fi
    log "npm ci --prefix tests/VoiceBridge.Tests/node"
    npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error
  else
    log "node_modules up to date (tests/VoiceBridge.Tests/node)"
  fi
fi

# --- 3. .NET SDK ----------------------------------------------------------------
command -v dotnet >/dev/null \
  || die ".NET SDK not found: install the .NET ${MIN_DOTNET_MAJOR} SDK (dotnet --version must be >= ${MIN_DOTNET_MAJOR})"
dotnet_version="$(dotnet --version 2>/dev/null)" \
  || die "'dotnet --version' failed (no SDK installed? global.json pinning a missing SDK?); need .NET SDK >= ${MIN_DOTNET_MAJOR}"
dotnet_major="${dotnet_version%%.*}"
[[ $dotnet_major =~ ^[0-9]+$ ]] || die "cannot parse 'dotnet --version' output: $dotnet_version"
((dotnet_major >= MIN_DOTNET_MAJOR)) \
  || die ".NET SDK $dotnet_version is too old: need ${MIN_DOTNET_MAJOR}.0 or newer"
log "dotnet SDK $dotnet_version"
