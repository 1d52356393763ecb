#!/usr/bin/env bash
# Builds (or reuses) every binary the cluster tests need, into .cache/bin.
# Usage: test/cluster/build.sh [all|k8s|kube-apiserver|kube-scheduler|kube-controller-manager|kubectl|k8s-1.28|kube-apiserver-1.28|etcd|kwok|flux|peers|helm|promtool|trivy]...
# trivy is opt-in (not part of `all`): only the peers-fixtures and peers-corpus tiers use it.
# A component is rebuilt only when .cache/bin/<name> does not report the pinned version.
# kube-apiserver-1.28 is a second apiserver ($K8S_128_VERSION, wrapper tools/k8s-1.28) for Tier A128.
# Everything comes from the Go module proxy (go.mod/go.sum of the wrapper modules are committed)
# or from Debian (etcd-server). Build logs and timings go to .cache/logs/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"

# LAMBDA_GITOPS_CACHE moves the caches and binaries out of the work tree (e.g. to a directory that
# survives fresh clones on the same machine, so CI rebuilds nothing); default: .cache/ in the repo.
CACHE=${LAMBDA_GITOPS_CACHE:-$ROOT/.cache}
export GOCACHE=$CACHE/go-build
export GOMODCACHE=$CACHE/gomod
export GOFLAGS=-buildvcs=false
export CGO_ENABLED=0
BIN=$CACHE/bin
LOGS=$CACHE/logs
mkdir -p "$BIN" "$LOGS" "$GOCACHE" "$GOMODCACHE"
NICE=(nice -n 10)

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null || die "go is not on PATH (need Go >= 1.26 at /usr/local/go/bin)"

# Fail fast when the Go module proxy cannot be reached and a module is missing from the cache.
PROXY_OK=""
need_proxy() { # $1 = module@version that must be downloadable
  [ -n "$PROXY_OK" ] && return 0
  local out
  if ! out=$(timeout 60 go mod download -json "$1" 2>&1); then
    die "cannot download $1 through the Go module proxy ($(go env GOPROXY)). Is the proxy reachable?
$out"
  fi
  PROXY_OK=1
}

# has_version NAME PATTERN [ARGS...]: true when .cache/bin/NAME runs and its version output matches PATTERN
has_version() {
  local name=$1 pat=$2; shift 2
  [ -x "$BIN/$name" ] || return 1
  "$BIN/$name" "$@" 2>&1 | head -5 | grep -qF -- "$pat"
}

timed() { # timed NAME CMD...: run CMD, record wall seconds in .cache/logs/times.tsv
  local name=$1; shift
  local t0=$SECONDS
  if ! "$@" >"$LOGS/build-$name.log" 2>&1; then
    tail -40 "$LOGS/build-$name.log" >&2
    die "build of $name failed (full log: $LOGS/build-$name.log)"
  fi
  printf '%s\t%s\t%ss\n' "$(date -u +%FT%TZ)" "$name" "$((SECONDS - t0))" >>"$LOGS/times.tsv"
  log "built $name in $((SECONDS - t0))s"
}

k8s_ldflags() { # VERSION COMMIT
  local v=$1 commit=$2 maj min
  maj=${v#v}; maj=${maj%%.*}
  min=${v#v*.}; min=${min%%.*}
  local f="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=" -X $p.gitVersion=$v -X $p.gitMajor=$maj -X $p.gitMinor=$min"
    f+=" -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$f"
}

build_k8s_one() { # kube-apiserver | kube-scheduler | kube-controller-manager | kubectl
  local name=$1 verflag=--version
  [ "$name" = kubectl ] && verflag="version --client"
  # shellcheck disable=SC2086
  if has_version "$name" "$K8S_VERSION" $verflag; then log "$name $K8S_VERSION cached"; return; fi
  need_proxy "k8s.io/kubernetes@$K8S_VERSION"
  log "building $name $K8S_VERSION (cold: several minutes on 2 cores)"
  (cd "$here/tools/k8s" && timed "$name" "${NICE[@]}" go build -trimpath -tags selinux,notest \
    -ldflags "$(k8s_ldflags "$K8S_VERSION" "$K8S_COMMIT")" -o "$BIN/$name" "k8s.io/kubernetes/cmd/$name")
}

build_apiserver_128() { # kube-apiserver of the 1.28 line, for Tier A128
  local name=kube-apiserver-1.28
  if has_version "$name" "$K8S_128_VERSION" --version; then log "$name $K8S_128_VERSION cached"; return; fi
  need_proxy "k8s.io/kubernetes@$K8S_128_VERSION"
  log "building $name $K8S_128_VERSION (cold: several minutes on 2 cores)"
  (cd "$here/tools/k8s-1.28" && timed "$name" "${NICE[@]}" go build -trimpath -tags selinux,notest \
    -ldflags "$(k8s_ldflags "$K8S_128_VERSION" "$K8S_128_COMMIT")" -o "$BIN/$name" "k8s.io/kubernetes/cmd/kube-apiserver")
}

build_etcd() {
  # Debian's etcd-server 3.4.23; the harness smoke-tests it (put/get) before use.
  if command -v etcd >/dev/null && etcd --version 2>&1 | grep -q "etcd Version: $ETCD_VERSION_PREFIX"; then
    ln -sf "$(command -v etcd)" "$BIN/etcd"; log "etcd $(etcd --version | head -1) (Debian)"; return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian etcd-server"
    DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server >"$LOGS/apt-etcd.log" 2>&1 \
      || { apt-get update >>"$LOGS/apt-etcd.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server >>"$LOGS/apt-etcd.log" 2>&1; } \
      || die "apt-get install etcd-server failed (see $LOGS/apt-etcd.log)"
    # Debian starts an etcd service on 2379 when systemd runs; the tests use their own ports either way.
    ln -sf "$(command -v etcd)" "$BIN/etcd"; return
  fi
  die "etcd not found; install Debian's etcd-server (apt-get install etcd-server)"
}

# Stamp: the pinned version plus a hash of the wrapper's go.mod/go.sum. A binary whose stamp matches
# is reused (several of these tools have no --version flag that reports the module version).
stamp_of() { printf '%s %s' "$1" "$(cat "$2/go.mod" "$2/go.sum" | sha256sum | cut -c1-16)"; }

build_gomod_tool() { # NAME MODULE VERSION MODULE_DIR PACKAGE [LDFLAGS]
  local name=$1 module=$2 ver=$3 dir=$4 pkg=$5 ld=${6:-"-s -w"} stamp
  stamp=$(stamp_of "$ver" "$dir")
  if [ -x "$BIN/$name" ] && [ "$(cat "$BIN/$name.stamp" 2>/dev/null)" = "$stamp" ]; then
    log "$name $ver cached"; return
  fi
  need_proxy "$module@$ver"
  log "building $name $ver"
  (cd "$dir" && timed "$name" "${NICE[@]}" go build -trimpath -ldflags "$ld" -o "$BIN/$name" "$pkg")
  printf '%s' "$stamp" >"$BIN/$name.stamp"
}

build_kwok() {
  build_gomod_tool kwok sigs.k8s.io/kwok "$KWOK_VERSION" "$here/tools/kwok" sigs.k8s.io/kwok/cmd/kwok
}

build_flux() {
  build_gomod_tool source-controller github.com/fluxcd/source-controller "$SOURCE_CONTROLLER_VERSION" "$here/tools/flux" github.com/fluxcd/source-controller
  build_gomod_tool kustomize-controller github.com/fluxcd/kustomize-controller "$KUSTOMIZE_CONTROLLER_VERSION" "$here/tools/flux" github.com/fluxcd/kustomize-controller
}

build_peers() {
  build_gomod_tool kubeconform github.com/yannh/kubeconform "$KUBECONFORM_VERSION" "$here/tools/peers" github.com/yannh/kubeconform/cmd/kubeconform \
    "-s -w -X main.version=$KUBECONFORM_VERSION"
  build_gomod_tool kube-score github.com/zegl/kube-score "$KUBE_SCORE_VERSION" "$here/tools/peers" github.com/zegl/kube-score/cmd/kube-score \
    "-s -w -X main.version=$KUBE_SCORE_VERSION"
}

build_trivy() {
  # trivy's own release builds set GOEXPERIMENT=jsonv2 (pkg/x/json imports encoding/json/v2).
  GOEXPERIMENT=jsonv2 build_gomod_tool trivy github.com/aquasecurity/trivy "$TRIVY_VERSION" "$here/tools/trivy" github.com/aquasecurity/trivy/cmd/trivy \
    "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=$TRIVY_VERSION"
}

build_helm() {
  build_gomod_tool helm helm.sh/helm/v3 "$HELM_VERSION" "$here/tools/helm" helm.sh/helm/v3/cmd/helm \
    "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
}

build_promtool() {
  build_gomod_tool promtool github.com/prometheus/prometheus "$PROMETHEUS_VERSION" "$here/tools/promtool" github.com/prometheus/prometheus/cmd/promtool \
    "-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION"
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(all)
for t in "${targets[@]}"; do
  case $t in
    all) build_etcd; for c in kube-apiserver kube-controller-manager kube-scheduler; do build_k8s_one $c; done
         build_apiserver_128
         command -v kubectl >/dev/null || build_k8s_one kubectl
         build_kwok; build_flux; build_peers; build_helm; build_promtool ;;
    k8s) for c in kube-apiserver kube-controller-manager kube-scheduler; do build_k8s_one $c; done ;;
    kube-apiserver|kube-scheduler|kube-controller-manager|kubectl) build_k8s_one "$t" ;;
    k8s-1.28|kube-apiserver-1.28) build_apiserver_128 ;;
    etcd) build_etcd ;;
    kwok) build_kwok ;;
    flux) build_flux ;;
    peers) build_peers ;;
    helm) build_helm ;;
    promtool) build_promtool ;;
    trivy) build_trivy ;;
    *) die "unknown target $t" ;;
  esac
done
