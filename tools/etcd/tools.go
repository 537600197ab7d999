//go:build tools

// Package tools pins go.etcd.io/etcd/server/v3 (the etcd server's main package): the blank import keeps the
// requirement in go.mod/go.sum through `go mod tidy`; the build tag keeps it out of every real build.
package tools

import _ "go.etcd.io/etcd/server/v3"
