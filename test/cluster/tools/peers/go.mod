// Wrapper module pinning the peer validators compared with `lambda-gitops check`.
module lambda-gitops.invalid/test/cluster/tools/peers

go 1.26.0

tool (
	github.com/yannh/kubeconform/cmd/kubeconform
	github.com/zegl/kube-score/cmd/kube-score
)

require (
	github.com/yannh/kubeconform v0.7.0
	github.com/zegl/kube-score v1.20.0
)
