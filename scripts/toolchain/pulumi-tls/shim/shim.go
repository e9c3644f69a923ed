// Package shim exposes the Terraform TLS provider, whose implementation lives
// in an internal package. Its module path sits inside
// github.com/hashicorp/terraform-provider-tls, which is what lets it import
// that internal package; the toolchain script replaces the module with this
// directory.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	tls "github.com/hashicorp/terraform-provider-tls/internal/provider"
)

// NewProvider returns the upstream Terraform TLS provider.
func NewProvider() provider.Provider { return tls.New() }
