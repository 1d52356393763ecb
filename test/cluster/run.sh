#!/usr/bin/env bash
# npm run test:cluster: build (or reuse) the components, then run tiers A, A128, B, C, alerts, rules and the peers.
# Arguments are passed to main.mjs (e.g. `bash test/cluster/run.sh A` for Tier A only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
cd "$ROOT"
export PATH=/usr/local/go/bin:$PATH
CACHE=${LAMBDA_GITOPS_CACHE:-$ROOT/.cache}   # see build.sh
export GOCACHE=$CACHE/go-build GOMODCACHE=$CACHE/gomod CLUSTER_BIN=$CACHE/bin

t0=$SECONDS
targets=(etcd k8s)
# kubectl is only used for `kubectl kustomize`; build v1.33 kubectl when the machine has none.
command -v kubectl >/dev/null || targets+=(kubectl)
export PATH=$PATH:$CACHE/bin
want=" ${*:-A A128 B C alerts rules peers} "
case $want in *" B "*|*" C "*) targets+=(kwok) ;; esac
case $want in *" C "*|*" A "*|*" A128 "*) targets+=(flux) ;; esac   # Tier A installs the CRDs from the Flux modules
case $want in *" A128 "*) targets+=(k8s-1.28) ;; esac   # Tier A on the 1.28 apiserver
case $want in *" A "*|*" A128 "*|*" B "*) targets+=(helm) ;; esac   # Tiers A and B render every HelmRelease
case $want in *" alerts "*) targets+=(promtool) ;; esac   # promtool check/test rules
case $want in *" peers"*) targets+=(peers flux) ;; esac
bash "$here/build.sh" "${targets[@]}"
echo "[run] build/check of components took $((SECONDS - t0))s"

if [ ! -d "$ROOT/${DIST_DIR:-dist}/clusters" ]; then
  echo "[run] ${DIST_DIR:-dist}/clusters is missing: rendering the tree with npm run synth"
  npm run --silent synth
fi

pidfile=$(mktemp)
export CLUSTER_TEST_PIDFILE=$pidfile
cleanup() {
  # main.mjs stops its processes itself; this is the backstop if node dies.
  while read -r pid; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done <"$pidfile"
  if [ -f "$pidfile.dirs" ]; then
    while read -r d; do case $d in */lgo-etcd-*) rm -rf "$d" ;; esac; done <"$pidfile.dirs"
  fi
  rm -f "$pidfile" "$pidfile.dirs"
}
trap cleanup EXIT
node "$here/main.mjs" "$@"
