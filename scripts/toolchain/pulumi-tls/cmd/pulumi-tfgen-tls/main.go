// pulumi-tfgen-tls writes the Pulumi schema and bridge metadata of the tls
// package (`pulumi-tfgen-tls schema --out DIR`).
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	tls "istio-egress-toolchain/pulumi-tls"
)

func main() { tfgen.Main("tls", tls.Provider()) }
