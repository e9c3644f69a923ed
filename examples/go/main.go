// An egress gateway, a TLS-passthrough destination and a mutual-TLS-origination destination with
// certificates, from Go, through the istio-egress component provider. The SDK
// (example.com/pulumi-istio-egress/sdk/go/istioegress) is generated and linked by
// `pulumi package add ../..` (see README.md).
package main

import (
	"example.com/pulumi-istio-egress/sdk/go/istioegress"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

const nginxHost = "my-nginx.mesh-external.svc.cluster.local"

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		// Istio's gateway chart by name (from its repository), or a local copy of it.
		chart := cfg.Get("gatewayChart")
		if chart == "" {
			chart = "gateway"
		}
		tls, mutual, rsa := istioegress.DestinationProtocolTls, istioegress.OriginationModeMutual, istioegress.KeyAlgorithmRsa2048
		egress, err := istioegress.NewEgress(ctx, "egress", &istioegress.EgressArgs{
			Gateway: &istioegress.EgressGatewayOptionsArgs{
				Chart: &istioegress.GatewayChartArgs{Chart: pulumi.StringRef(chart)},
				// Do not wait for the gateway's pods (a cluster that cannot start them yet).
				SkipAwait: pulumi.BoolRef(cfg.GetBool("gatewaySkipAwait")),
			},
			// A CA, a server certificate for the external nginx, and a client certificate in a
			// MUTUAL SDS credential the gateway presents to it.
			Certificates: &istioegress.EgressCertificatesOptionsArgs{
				Authority: istioegress.CertificateAuthorityOptionsArgs{
					CommonName:   pulumi.StringRef("example.com"),
					Organization: pulumi.StringRef("example Inc."),
					KeyAlgorithm: &rsa,
				},
				Servers: []istioegress.ServerCertificateArgs{{Name: "my-nginx", CommonName: nginxHost}},
				Credentials: []istioegress.EgressCredentialArgs{{
					Name: "client-credential",
					Client: &istioegress.CertificateSubjectArgs{
						CommonName:   "client.example.com",
						Organization: pulumi.StringRef("client organization"),
					},
				}},
			},
			// Who may use the destinations through the gateway (default: nobody): workloads in shop.
			DefaultAllowedSources: &istioegress.AllowedSourcesArgs{Namespaces: []string{"shop"}},
			Destinations: []istioegress.EgressDestinationArgs{
				// The application speaks TLS; the gateway forwards it by SNI; one service account may use it.
				{
					Host:           "edition.cnn.com",
					Port:           pulumi.Float64Ref(443),
					Protocol:       &tls,
					AllowedSources: &istioegress.AllowedSourcesArgs{ServiceAccounts: []string{"shop/checkout"}},
				},
				// The application speaks plain HTTP; the gateway originates mutual TLS.
				{
					Name:               pulumi.StringRef("nginx"),
					Host:               nginxHost,
					CreateServiceEntry: pulumi.BoolRef(false),
					Tls: &istioegress.TlsOriginationArgs{
						Mode:            &mutual,
						CredentialName:  pulumi.StringRef("client-credential"),
						SubjectAltNames: []string{nginxHost},
					},
				},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("gatewayServiceHost", egress.GatewayServiceHost)
		ctx.Export("credentialSecrets", egress.CredentialSecrets)
		ctx.Export("caCertificatePem", egress.CaCertificatePem)
		ctx.Export("destinations", egress.Destinations)
		return nil
	})
}
