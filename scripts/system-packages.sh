#!/usr/bin/env bash
# Install the Debian packages the end-to-end tests run for real (test/e2e/support/*):
#   nginx-light          nginx (the TLS servers, the SNI proxy)
#   libnginx-mod-stream  nginx's stream module (Debian builds it as a dynamic module)
#   dnsmasq-base         dnsmasq (a loopback DNS server for the SNI proxy's resolver)
#   openssl              throwaway CAs and certificate checks
#   curl                 the TLS client
#
# Idempotent: installs only what is missing, and runs `apt-get update` only then.
# Usage: scripts/system-packages.sh [--check]   (--check: report, install nothing, exit 1 if missing)
set -euo pipefail

PACKAGES=(nginx-light libnginx-mod-stream dnsmasq-base openssl curl)
# What each package must provide once installed (checked after installing too).
declare -A PROVIDES=(
    [nginx-light]=/usr/sbin/nginx
    [libnginx-mod-stream]=/usr/lib/nginx/modules/ngx_stream_module.so
    [dnsmasq-base]=/usr/sbin/dnsmasq
    [openssl]=/usr/bin/openssl
    [curl]=/usr/bin/curl
)

log() { echo "system-packages: $*"; }
die() { echo "system-packages: error: $*" >&2; exit 1; }

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian/Ubuntu only"

missing=()
for p in "${PACKAGES[@]}"; do
    if installed "$p" && [ -e "${PROVIDES[$p]}" ]; then
        log "$p: installed (${PROVIDES[$p]})"
    else
        log "$p: missing"
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    log "all packages present, nothing to do"
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    die "missing: ${missing[*]} (run scripts/system-packages.sh to install)"
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install ${missing[*]}"
    SUDO=(sudo)
fi

# Installing nginx would start the system nginx service (listening on all addresses, port 80)
# where no init system prevents it: forbid service starts for the duration of the install,
# unless a policy already exists (container images usually have one).
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    log "adding a temporary $POLICY so installing nginx starts no service"
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY"
    trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
log "running: apt-get update"
"${SUDO[@]}" apt-get update || die "apt-get update failed (needed to install: ${missing[*]})"

log "running: apt-get install -y --no-install-recommends ${missing[*]}"
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
    # Name the package that does not install.
    for p in "${missing[@]}"; do
        if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p"; then
            die "could not install package '$p' (apt-get install -y --no-install-recommends $p failed; see above)"
        fi
    done
    die "apt-get install of ${missing[*]} failed, though each package installed on its own (see above)"
fi

for p in "${missing[@]}"; do
    installed "$p" || die "package '$p' is not installed after apt-get install"
    [ -e "${PROVIDES[$p]}" ] || die "package '$p' is installed but ${PROVIDES[$p]} is missing"
    log "$p: installed (${PROVIDES[$p]})"
done
log "done"
