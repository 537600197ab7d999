//go:build tools

// Package tools pins k8s.io/kubernetes/cmd/kube-apiserver: the blank import keeps the requirement in go.mod/go.sum
// through `go mod tidy`; the build tag keeps it out of every real build.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
