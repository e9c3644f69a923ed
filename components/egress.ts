import * as pulumi from "@pulumi/pulumi";
import { childName } from "../base/childNames";
import { asComponentInput } from "../base/componentArgs";
import { TYPE_TOKENS } from "../base/typeTokens";
import { EgressArgs } from "./egressArgs";
import { EgressCertificates, IssuedServerCertificate } from "./egressCertificates";
import { DestinationSummary, EgressDestinations } from "./egressDestinations";
import { EgressGateway } from "./egressGateway";
import { EgressNetworkPolicies } from "./egressNetworkPolicies";
import { validateEgressArgs } from "./egressPlan";
import { ExternalHttpsProxy } from "./externalHttpsProxy";
import { ForwardProxyRouting } from "./forwardProxyRouting";
import { KubernetesEgressService } from "./kubernetesEgressService";
import { RegistryOnlyOutbound } from "./registryOnlyOutbound";
import { SniProxy } from "./sniProxy";

/**
 * A cluster's whole egress setup as one component: the gateway, destinations, SNI proxy,
 * Kubernetes Services, external and forward proxies, NetworkPolicies, registry-only namespaces
 * and certificates. The stack program of this repository is this component fed from stack config.
 */
export class Egress extends pulumi.ComponentResource {
    /** In-mesh host of the egress gateway Service; undefined without a gateway. */
    public readonly gatewayServiceHost: pulumi.Output<string | undefined>;
    /** What each destination is, who may use it, and which objects it owns. */
    public readonly destinations: pulumi.Output<DestinationSummary[]>;
    /** Objects shared by all destinations (the Gateway, the gateway's DestinationRule and its allow-nothing AuthorizationPolicy). */
    public readonly sharedObjects: pulumi.Output<string[]>;
    /** In-mesh host of the SNI proxy; undefined without one. */
    public readonly sniProxyHost: pulumi.Output<string | undefined>;
    /** The CA certificate (public); undefined without certificates. */
    public readonly caCertificatePem: pulumi.Output<string | undefined>;
    /** `namespace/name` of each SDS credential Secret. */
    public readonly credentialSecrets: pulumi.Output<string[]>;
    /** Expiry (RFC 3339) of every generated certificate, by name ("ca", "server/<name>"). */
    public readonly certificateExpiry: pulumi.Output<Record<string, string>>;
    /** Server certificates issued in the stack: PEM certificate (public) and private key (secret). */
    public readonly serverCertificates: pulumi.Output<Record<string, IssuedServerCertificate>>;

    constructor(name: string, args: EgressArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.Egress, name, {}, opts);
        // Everything is validated and planned here, once; the children take their planned args.
        const plan = asComponentInput(this, () => validateEgressArgs(args));
        const parent = { parent: this };
        const gateway = plan.gateway ? new EgressGateway(childName(name, "gateway"), plan.gateway, parent) : undefined;
        const proxy = plan.sniProxy ? new SniProxy(childName(name, "sni-proxy"), plan.sniProxy, parent) : undefined;
        const certificates = plan.certificates ? new EgressCertificates(childName(name, "pki"), plan.certificates, parent) : undefined;
        // The credentials exist before the DestinationRules that name them.
        const destinations = plan.destinations
            ? new EgressDestinations(childName(name, "destinations"), plan.destinations, {
                  parent: this,
                  dependsOn: certificates ? [certificates] : [],
              })
            : undefined;
        for (const s of plan.kubernetesServices) {
            new KubernetesEgressService(childName(name, "svc", s.namespace, s.name), s, parent);
        }
        for (const p of plan.externalProxies) {
            new ExternalHttpsProxy(childName(name, "proxy", p.namespace, p.name), p, parent);
        }
        for (const p of plan.forwardProxies) {
            new ForwardProxyRouting(childName(name, "fwd", p.namespace, p.name), p, parent);
        }
        if (plan.networkPolicies) {
            new EgressNetworkPolicies(childName(name, "netpol"), plan.networkPolicies, parent);
        }
        if (plan.registryOnly) {
            new RegistryOnlyOutbound(childName(name, "registry-only"), plan.registryOnly, parent);
        }

        this.gatewayServiceHost = gateway ? gateway.serviceHost : pulumi.output(undefined);
        this.destinations = destinations ? destinations.destinations : pulumi.output([]);
        this.sharedObjects = destinations ? destinations.sharedObjects : pulumi.output([]);
        this.sniProxyHost = pulumi.output(proxy?.ref.host);
        this.caCertificatePem = certificates ? certificates.caCertificatePem : pulumi.output(undefined);
        this.credentialSecrets = certificates ? certificates.credentialSecrets : pulumi.output([]);
        this.certificateExpiry = certificates ? certificates.certificateExpiry : pulumi.output<Record<string, string>>({});
        this.serverCertificates = certificates
            ? certificates.serverCertificates
            : pulumi.output<Record<string, IssuedServerCertificate>>({});
        this.registerOutputs({
            gatewayServiceHost: this.gatewayServiceHost,
            destinations: this.destinations,
            sharedObjects: this.sharedObjects,
            sniProxyHost: this.sniProxyHost,
            caCertificatePem: this.caCertificatePem,
            credentialSecrets: this.credentialSecrets,
            certificateExpiry: this.certificateExpiry,
            serverCertificates: this.serverCertificates,
        });
    }
}
