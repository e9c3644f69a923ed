#!/usr/bin/env bash
# The main job on a machine without a cluster: `pulumi up` of an example stack, for real, against
# a throw-away control plane on loopback (see test/e2e/support/localUp.ts).
# Usage: npm run up:local -- [stack, default s06-gateway-mutual-origination] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/toolchain.sh >/dev/null
# shellcheck disable=SC1091
source "${ISTIO_EGRESS_TOOLCHAIN:-$HOME/.cache/istio-egress-toolchain}/env.sh"
npm run build >/dev/null
exec node bin/test/e2e/support/localUp.js "$@"
