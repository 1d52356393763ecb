# Pinned versions of every component the cluster tests build (sourced by build.sh and run.sh).
# Kubernetes 1.33 is the oldest line that the Flux release available through the Go module proxy
# here (Flux 2.9: source-controller v1.9.x, kustomize-controller v1.9.x, which need >= 1.33) supports;
# see docs/cluster-testing.md for why not 1.28.
K8S_VERSION=v1.33.13
K8S_COMMIT=goproxy-module-v1.33.13   # the proxy's .info carries no commit; informational only
# Tier A also runs on the 1.28 line the constructs target (kube-apiserver only; no Flux needed).
K8S_128_VERSION=v1.28.15
K8S_128_COMMIT=goproxy-module-v1.28.15
ETCD_VERSION_PREFIX=3.4.             # Debian 12 etcd-server (3.4.23), smoke-tested by the harness
KWOK_VERSION=v0.8.0
SOURCE_CONTROLLER_VERSION=v1.9.6     # Flux 2.9
KUSTOMIZE_CONTROLLER_VERSION=v1.9.6  # Flux 2.9
KUBECONFORM_VERSION=v0.7.0
KUBE_SCORE_VERSION=v1.20.0
HELM_VERSION=v3.22.0                 # renders every HelmRelease's chart (helm-controller is not served by the proxy)
PROMETHEUS_VERSION=v0.316.0           # promtool (Prometheus 3.x module line): check and unit-test the rendered alerting rules
TRIVY_VERSION=v0.74.0                # opt-in peer (`build.sh trivy`): `trivy config` with its embedded checks, for peers-fixtures/peers-corpus
