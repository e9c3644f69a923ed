// Package tls maps the Terraform TLS provider to the Pulumi "tls" package, the
// way the published pulumi-resource-tls plugin does: every resource and data
// source in the single "index" module, named by the bridge's standard rules
// (tls_private_key -> tls:index/privateKey:PrivateKey, data source
// tls_public_key -> tls:index/getPublicKey:getPublicKey).
//
// Written for this project's toolchain because the upstream provider module
// is not served by the Go module proxy.
package tls

import (
	_ "embed"

	"github.com/hashicorp/terraform-provider-tls/shim"
	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
)

// Version is stamped by the build (-ldflags -X).
var Version = "0.0.0-dev"

// Written by tfgen next to the schema; embedded into both binaries.
//
//go:embed cmd/pulumi-resource-tls/bridge-metadata.json
var bridgeMetadata []byte

// Provider returns the bridge configuration for the tls package.
func Provider() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            pfbridge.ShimProvider(shim.NewProvider()),
		Name:         "tls",
		DisplayName:  "TLS",
		Publisher:    "Pulumi",
		Version:      Version,
		License:      "Apache-2.0",
		Homepage:     "https://pulumi.io",
		Repository:   "https://github.com/pulumi/pulumi-tls",
		GitHubOrg:    "hashicorp",
		Description:  "A Pulumi package to create TLS resources in Pulumi programs.",
		Keywords:     []string{"pulumi", "tls"},
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
	}
	info.MustComputeTokens(tokens.SingleModule("tls_", "index", tokens.MakeStandard("tls")))
	return info
}
