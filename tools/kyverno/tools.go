//go:build tools

// Package tools pins github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno: the blank import keeps the requirement in go.mod/go.sum
// through `go mod tidy`; the build tag keeps it out of every real build.
package tools

import _ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
