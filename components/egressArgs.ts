import { z } from "zod";
import { exportToSchema, namespaceName } from "../validation/common";
import { destinationSchema } from "../validation/destinations";
import { sourcesSchema } from "../validation/sources";
import { Accepts } from "../base/componentArgs";
import { EgressCertificatesOptions, egressCertificatesOptionsSchema } from "./egressCertificates";
import { AllowedSources, EgressDestination } from "./egressDestinations";
import { EgressGatewayOptions, egressGatewayArgsSchema } from "./egressGateway";
import { EgressNetworkPoliciesOptions, egressNetworkPoliciesOptionsSchema } from "./egressNetworkPolicies";
import { ExternalHttpsProxyOptions, externalHttpsProxyArgsSchema } from "./externalHttpsProxy";
import { ForwardProxyRoutingOptions, forwardProxyRoutingArgsSchema } from "./forwardProxyRouting";
import { KubernetesEgressServiceOptions, kubernetesEgressServiceArgsSchema } from "./kubernetesEgressService";
import { RegistryOnlyOutboundOptions, registryOnlyOutboundArgsSchema } from "./registryOnlyOutbound";
import { SniProxyOptions, sniProxyOptionsSchema } from "./sniProxy";

/** A whole egress setup; the stack config has the same shape. */
export interface EgressArgs {
    /** Install an egress gateway. Omit when every destination is DIRECT. */
    readonly gateway?: EgressGatewayOptions;
    /** External destinations, through the gateway or DIRECT. */
    readonly destinations?: EgressDestination[];
    /** Namespace for DIRECT destinations' objects when there is no gateway. Default: the gateway's namespace. */
    readonly namespace?: string;
    /** The SNI proxy beside the gateway, for destinations with sniProxy: true. */
    readonly sniProxy?: SniProxyOptions;
    /** Kubernetes Services for external services (ExternalName or selector-less). */
    readonly kubernetesServices?: KubernetesEgressServiceOptions[];
    /** External legacy HTTPS proxies the applications use with HTTP CONNECT. */
    readonly externalProxies?: ExternalHttpsProxyOptions[];
    /** Domains routed to an nginx forward proxy. */
    readonly forwardProxies?: ForwardProxyRoutingOptions[];
    /** NetworkPolicies that stop pods of chosen namespaces from bypassing the gateway. */
    readonly networkPolicies?: EgressNetworkPoliciesOptions;
    /** Registry-only outbound traffic for chosen namespaces. */
    readonly registryOnly?: RegistryOnlyOutboundOptions;
    /** exportTo of the destinations' objects. Default: the namespaces that may use each destination, plus the gateway's. */
    readonly exportTo?: string[];
    /** Who may use a destination that lists no allowedSources. Default: nobody (the gateway refuses every caller). */
    readonly defaultAllowedSources?: AllowedSources;
    /** A CA, server and client certificates, and SDS credential Secrets in the gateway's namespace. */
    readonly certificates?: EgressCertificatesOptions;
}

export const egressArgsSchema = z.strictObject({
    gateway: egressGatewayArgsSchema.optional(),
    destinations: z.array(destinationSchema).optional(),
    namespace: namespaceName.optional(),
    sniProxy: sniProxyOptionsSchema.optional(),
    kubernetesServices: z.array(kubernetesEgressServiceArgsSchema).optional(),
    externalProxies: z.array(externalHttpsProxyArgsSchema).optional(),
    forwardProxies: z.array(forwardProxyRoutingArgsSchema).optional(),
    networkPolicies: egressNetworkPoliciesOptionsSchema.optional(),
    registryOnly: registryOnlyOutboundArgsSchema.optional(),
    exportTo: exportToSchema.optional(),
    defaultAllowedSources: sourcesSchema.optional(),
    certificates: egressCertificatesOptionsSchema.optional(),
});

const _argsMatchSchema: Accepts<typeof egressArgsSchema, EgressArgs> = true;
void _argsMatchSchema;

/** The top-level fields of EgressArgs: the stack program's config keys. */
export const EGRESS_ARGS_FIELDS = Object.keys(egressArgsSchema.shape) as (keyof EgressArgs)[];
