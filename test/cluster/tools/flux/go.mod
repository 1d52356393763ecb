// Wrapper module: builds Flux 2.9's source-controller and kustomize-controller through the Go
// module proxy. Their own go.mod files carry replace directives (./api, go-digest, kustomize,
// yaml.v3), which `go install pkg@version` refuses; the non-local ones are repeated here and the
// ./api replaces fall back to the published api modules.
module lambda-gitops.invalid/test/cluster/tools/flux

go 1.26.0

tool (
	github.com/fluxcd/kustomize-controller
	github.com/fluxcd/source-controller
)

require (
	github.com/fluxcd/kustomize-controller v1.9.6
	github.com/fluxcd/source-controller v1.9.6
)

replace (
	github.com/opencontainers/go-digest => github.com/opencontainers/go-digest v1.0.1-0.20220411205349-bde1400a84be
	gopkg.in/yaml.v3 => gopkg.in/yaml.v3 v3.0.1
	sigs.k8s.io/kustomize/api => sigs.k8s.io/kustomize/api v0.21.1
	sigs.k8s.io/kustomize/kyaml => sigs.k8s.io/kustomize/kyaml v0.21.1
)
