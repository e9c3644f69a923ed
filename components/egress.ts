import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseOrThrow, ValidationError } from "../validation/format";
import { destinationSchema, resolvedDestinationsSchema, ResolvedDestinations } from "../validation/destinations";
import { exportToSchema, namespaceName } from "../validation/common";
import { AllowedSources, EgressDestinationArgs, EgressDestinations, DestinationSummary } from "./egressDestinations";
import { sourceNamespaces, sourcesSchema } from "../validation/sources";
import { EgressGateway, EgressGatewayArgs, egressGatewayArgsSchema, egressGatewayRef, TolerationArgs } from "./egressGateway";
import { EgressNetworkPolicies, EgressNetworkPoliciesArgs, egressNetworkPoliciesArgsSchema, egressNetworkPoliciesFieldsSchema } from "./egressNetworkPolicies";
import { ExternalHttpsProxy, ExternalHttpsProxyArgs, externalHttpsProxyArgsSchema } from "./externalHttpsProxy";
import { ForwardProxyRouting, ForwardProxyRoutingArgs, forwardProxyRoutingArgsSchema } from "./forwardProxyRouting";
import { KubernetesEgressService, KubernetesEgressServiceArgs, kubernetesEgressServiceArgsSchema } from "./kubernetesEgressService";
import { RegistryOnlyOutbound, RegistryOnlyOutboundArgs, registryOnlyOutboundArgsSchema } from "./registryOnlyOutbound";
import { SniProxy, SniProxyArgs, sniProxyArgsSchema, sniProxyRef } from "./sniProxy";
import { EgressCertificatesArgs, issueEgressCertificates, validateEgressCertificates } from "./egressCertificates";
import { TYPE_TOKENS } from "./tokens";
import { checkObjectIdentities } from "./egressObjectIdentities";
import { Accepts } from "./validate";

/** The SNI proxy of an Egress: its ports and allowed hosts come from the destinations that use it. */
export interface EgressSniProxyArgs {
    /** Name of the proxy's Deployment, Service and ConfigMap. @default "egress-sni-proxy" */
    readonly name?: string;
    /** Extra ports beyond those of the destinations. */
    readonly extraPorts?: number[];
    /** DNS resolvers for SNI hosts. @default ["kube-dns.kube-system.svc.cluster.local"] */
    readonly resolvers?: string[];
    /** Also listen on IPv6 and resolve IPv6 addresses. @default false */
    readonly ipv6?: boolean;
    /** Container image. @default DEFAULT_SNI_PROXY_IMAGE */
    readonly image?: string;
    /** Replica count. @default 2 */
    readonly replicas?: number;
    /** Node labels, to run beside the gateway on dedicated egress nodes. */
    readonly nodeSelector?: Record<string, string>;
    /** Tolerations for tainted dedicated egress nodes. */
    readonly tolerations?: TolerationArgs[];
}

/** A whole egress setup; the stack config has the same shape. */
export interface EgressArgs {
    /** Install an egress gateway (S1). Omit when every destination is DIRECT. */
    readonly gateway?: EgressGatewayArgs;
    /** External destinations (S2–S6, S9, S10). */
    readonly destinations?: EgressDestinationArgs[];
    /** Namespace for DIRECT destinations' objects when there is no gateway. */
    readonly namespace?: string;
    /** The SNI proxy beside the gateway, for destinations with sniProxy: true (S10). */
    readonly sniProxy?: EgressSniProxyArgs;
    /** Kubernetes Services for external services (S11). */
    readonly kubernetesServices?: KubernetesEgressServiceArgs[];
    /** External legacy HTTPS proxies (S12). */
    readonly externalProxies?: ExternalHttpsProxyArgs[];
    /** Domains routed to an nginx forward proxy (S13). */
    readonly forwardProxies?: ForwardProxyRoutingArgs[];
    /** Bypass prevention (S14). istioNamespaces defaults to istio-system and the gateway's namespace. */
    readonly networkPolicies?: EgressNetworkPoliciesArgs;
    /** Registry-only outbound for chosen namespaces (S15). */
    readonly registryOnly?: RegistryOnlyOutboundArgs;
    /** exportTo for destination objects. @default all namespaces */
    readonly exportTo?: string[];
    /** Who may use a destination that lists no allowedSources. Default: nobody (the gateway refuses every caller). */
    readonly defaultAllowedSources?: AllowedSources;
    /** CA, server and client certificates, and SDS credential Secrets in the gateway's namespace (S5–S8). */
    readonly certificates?: EgressCertificatesArgs;
}

const egressSniProxySchema = z.strictObject({
    name: z.string().optional(),
    extraPorts: z.array(z.number()).optional(),
    resolvers: z.array(z.string()).optional(),
    ipv6: z.boolean().optional(),
    image: z.string().optional(),
    replicas: z.number().optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(z.unknown()).optional(),
});

export const egressArgsSchema = z.strictObject({
    gateway: egressGatewayArgsSchema.optional(),
    destinations: z.array(destinationSchema).optional(),
    namespace: namespaceName.optional(),
    sniProxy: egressSniProxySchema.optional(),
    kubernetesServices: z.array(kubernetesEgressServiceArgsSchema).optional(),
    externalProxies: z.array(externalHttpsProxyArgsSchema).optional(),
    forwardProxies: z.array(forwardProxyRoutingArgsSchema).optional(),
    networkPolicies: egressNetworkPoliciesFieldsSchema.optional(),
    registryOnly: registryOnlyOutboundArgsSchema.optional(),
    exportTo: exportToSchema.optional(),
    defaultAllowedSources: sourcesSchema.optional(),
    certificates: z.unknown().optional(),
});

const _argsMatchSchema: Accepts<typeof egressArgsSchema, EgressArgs> = true;
void _argsMatchSchema;

/** Validated Egress args, with the plans the sub-components will build. */
export interface ValidEgressArgs {
    readonly args: EgressArgs;
    readonly destinations?: ResolvedDestinations;
    readonly sniProxy?: SniProxyArgs;
    readonly networkPolicies?: EgressNetworkPoliciesArgs;
    readonly registryOnly?: RegistryOnlyOutboundArgs;
}

/**
 * Validates a whole egress setup at once, so that one bad field anywhere fails before anything
 * is registered, with its full path (`destinations[2].host`, `gateway.replicas`, …).
 */
export function validateEgressArgs(args: EgressArgs): ValidEgressArgs {
    const base = parseOrThrow(egressArgsSchema, args);
    const gatewayRef = base.gateway ? egressGatewayRef(base.gateway) : undefined;
    let sniProxy: SniProxyArgs | undefined;
    let validSniProxy: z.output<typeof sniProxyArgsSchema> | undefined;
    const proxied = (args.destinations ?? []).filter((d) => d.sniProxy);
    if (args.sniProxy) {
        // Each port forwards only the hosts of the destinations on it; extra ports, every proxied host.
        const hostsOn = (port: number) => [...new Set(proxied.filter((d) => (d.port ?? 443) === port).map((d) => d.host))];
        const all = [...new Set(proxied.map((d) => d.host))];
        const ports = [...new Set([...proxied.map((d) => d.port ?? 443), ...(args.sniProxy.extraPorts ?? [])])];
        const { extraPorts: _extra, ...rest } = args.sniProxy;
        sniProxy = {
            ...rest,
            namespace: gatewayRef?.namespace,
            gatewaySelector: gatewayRef?.selector,
            routes: ports.map((port) => {
                const hosts = hostsOn(port);
                return { port, allowedHosts: hosts.length > 0 ? hosts : all };
            }),
        };
        const built = sniProxy;
        validSniProxy = prefixed("sniProxy", () => parseOrThrow(sniProxyArgsSchema, built));
    }
    let destinations: ResolvedDestinations | undefined;
    if (args.destinations && args.destinations.length > 0) {
        const proxyRef = validSniProxy ? sniProxyRef(validSniProxy) : undefined;
        destinations = parseOrThrow(resolvedDestinationsSchema, {
            gateway: gatewayRef,
            namespace: args.namespace,
            destinations: args.destinations,
            sniProxy: proxyRef,
            exportTo: args.exportTo,
            defaultAllowedSources: args.defaultAllowedSources,
        });
    }
    if (args.certificates) {
        validateEgressCertificates(args.certificates);
        if ((args.certificates.credentials ?? []).length > 0 && !gatewayRef) {
            throw new ValidationError("certificates.credentials: SDS credentials live in the egress gateway's namespace, and no gateway is configured (set gateway)", []);
        }
        // A CA-only credential is named "<x>-cacert" (certs/sdsCredential.ts), which MUTUAL
        // destinations may not name (validation/destinations.ts): no separate check here.
    }
    let networkPolicies: EgressNetworkPoliciesArgs | undefined;
    if (args.networkPolicies) {
        if (!gatewayRef) {
            const msg = "networkPolicies: fenced namespaces leave the cluster only through the egress gateway, and none is configured (set gateway)";
            throw new ValidationError(msg, [msg]);
        }
        const fenced = args.networkPolicies.namespaces;
        const userBlocks = args.networkPolicies.ipBlocks ?? [];
        // A DIRECT destination leaves from the workload itself: its NetworkPolicy must let it out.
        (destinations?.destinations ?? []).forEach((d, i) => {
            const users = d.sources ? sourceNamespaces(d.sources) : undefined;
            const fencedUser = fenced.find((ns) => users === undefined || users.includes(ns) || users.includes("*"));
            if (d.egress === "DIRECT" && fencedUser && userBlocks.length === 0) {
                const msg = `destinations[${i}]: ${JSON.stringify(d.host)} is DIRECT and namespace ${JSON.stringify(fencedUser)} is fenced by networkPolicies: list its addresses in networkPolicies.ipBlocks, or send it through the gateway`;
                throw new ValidationError(msg, [msg]);
            }
        });
        // The proxies the mesh reaches directly (S12, S13) are address blocks the policies must open.
        const proxyBlocks = [
            ...(args.externalProxies ?? []).flatMap((p) => p.addresses.map((cidr) => ({ cidr, ports: [p.port] }))),
            ...(args.forwardProxies ?? []).flatMap((p) => p.proxyAddresses.map((cidr) => ({ cidr, ports: [p.httpProxyPort ?? 8080, p.sniProxyPort ?? 8443] }))),
        ];
        networkPolicies = { ...args.networkPolicies, gateway: gatewayRef, ipBlocks: [...userBlocks, ...proxyBlocks] };
        prefixed("networkPolicies", () => parseOrThrow(egressNetworkPoliciesArgsSchema, networkPolicies));
    }
    let registryOnly: RegistryOnlyOutboundArgs | undefined;
    if (args.registryOnly) {
        // Registry-only sidecars still see the egress configuration: the gateway's namespace and
        // the namespace of the destinations' objects.
        const routes = [gatewayRef?.namespace, destinations?.namespace].filter((n): n is string => n !== undefined && n !== "");
        registryOnly = { ...args.registryOnly, importNamespaces: [...new Set([...(args.registryOnly.importNamespaces ?? []), ...routes])] };
    }
    // A forward proxy's domain that is also a destination's host: two VirtualServices for one host.
    for (const [i, p] of (base.forwardProxies ?? []).entries()) {
        const clash = (destinations?.destinations ?? []).findIndex((d) => p.domains.includes(d.host));
        if (clash >= 0) {
            const msg = `forwardProxies[${i}].domains: ${JSON.stringify(destinations?.destinations[clash]?.host)} is also destinations[${clash}].host: sidecars take one VirtualService per host; route it one way`;
            throw new ValidationError(msg, [msg]);
        }
    }
    checkObjectIdentities({
        gateway: base.gateway,
        destinations,
        sniProxy: validSniProxy,
        kubernetesServices: base.kubernetesServices ?? [],
        externalProxies: base.externalProxies ?? [],
        forwardProxies: base.forwardProxies ?? [],
        networkPolicies: base.networkPolicies,
        registryOnly: base.registryOnly,
        credentialNames: (args.certificates?.credentials ?? []).map((c) => c.name),
    });
    return { args, destinations, sniProxy, networkPolicies, registryOnly };
}

function prefixed<T>(root: string, f: () => T): T {
    try {
        return f();
    } catch (e) {
        if (e instanceof ValidationError) {
            throw new ValidationError(`${root}.${e.message}`, e.issues.map((i) => `${root}.${i}`));
        }
        throw e;
    }
}

/** A server certificate issued in the stack. */
export interface IssuedServerCertificate {
    /** PEM certificate (public). */
    readonly certificatePem: string;
    /** PEM private key (a secret). */
    readonly privateKeyPem: string;
}

/**
 * A cluster's whole egress setup as one component: the gateway, destinations, SNI proxy,
 * Kubernetes Services, external and forward proxies, NetworkPolicies and registry-only
 * namespaces. The stack program of this repository is this component fed from stack config.
 */
export class Egress extends pulumi.ComponentResource {
    /** In-mesh host of the egress gateway Service, if one is installed. */
    public readonly gatewayServiceHost: pulumi.Output<string | undefined>;
    /** What each destination is and which objects it owns. */
    public readonly destinations: pulumi.Output<DestinationSummary[]>;
    /** Objects shared by all destinations (the Gateway and the gateway's DestinationRule). */
    public readonly sharedObjects: pulumi.Output<string[]>;
    /** In-mesh host of the SNI proxy, if any. */
    public readonly sniProxyHost: pulumi.Output<string | undefined>;
    /** The CA certificate (public), when certificates are issued. */
    public readonly caCertificatePem: pulumi.Output<string | undefined>;
    /** `namespace/name` of each SDS credential Secret. */
    public readonly credentialSecrets: pulumi.Output<string[]>;
    /** Expiry (RFC 3339) of every issued certificate, by name ("ca", "server/<name>", "client/<credential>"). */
    public readonly certificateExpiry: pulumi.Output<Record<string, string | undefined>>;
    /** Server certificates issued in the stack: PEM certificate (public) and private key (secret). */
    public readonly serverCertificates: pulumi.Output<Record<string, IssuedServerCertificate>>;

    constructor(name: string, args: EgressArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.Egress, name, {}, opts);
        let valid: ValidEgressArgs;
        try {
            valid = validateEgressArgs(args);
        } catch (e) {
            throw e instanceof ValidationError ? new pulumi.ResourceError(e.message, this) : e;
        }
        const parent = { parent: this };
        const gateway = args.gateway ? new EgressGateway(`${name}-gateway`, args.gateway, parent) : undefined;
        const proxy = valid.sniProxy ? new SniProxy(`${name}-sni-proxy`, valid.sniProxy, parent) : undefined;
        const issued = args.certificates
            ? issueEgressCertificates(`${name}-pki`, args.certificates, gateway?.ref.namespace ?? "", parent)
            : undefined;
        const destinations = args.destinations && args.destinations.length > 0
            ? new EgressDestinations(`${name}-destinations`, {
                gateway: gateway?.ref,
                namespace: args.namespace,
                destinations: args.destinations,
                sniProxy: proxy?.ref,
                exportTo: args.exportTo,
                defaultAllowedSources: args.defaultAllowedSources,
            }, { parent: this, dependsOn: issued?.credentials ?? [] })
            : undefined;
        (args.kubernetesServices ?? []).forEach((s) => new KubernetesEgressService(`${name}-svc-${s.namespace}-${s.name}`, s, parent));
        (args.externalProxies ?? []).forEach((p) => new ExternalHttpsProxy(`${name}-proxy-${p.namespace}-${p.name}`, p, parent));
        (args.forwardProxies ?? []).forEach((p) => new ForwardProxyRouting(`${name}-fwd-${p.namespace}-${p.name}`, p, parent));
        if (valid.networkPolicies) {
            new EgressNetworkPolicies(`${name}-netpol`, valid.networkPolicies, parent);
        }
        if (valid.registryOnly) {
            new RegistryOnlyOutbound(`${name}-registry-only`, valid.registryOnly, parent);
        }

        this.gatewayServiceHost = gateway ? gateway.serviceHost : pulumi.output(undefined);
        this.destinations = destinations ? destinations.destinations : pulumi.output([]);
        this.sharedObjects = destinations ? destinations.sharedObjects : pulumi.output([]);
        this.sniProxyHost = pulumi.output(proxy?.ref.host);
        this.caCertificatePem = issued ? issued.ca.certificatePem : pulumi.output(undefined);
        this.credentialSecrets = pulumi.all((issued?.credentials ?? []).map((c) => pulumi.interpolate`${c.namespace}/${c.secretName}`));
        const expiries: Record<string, pulumi.Output<string | undefined>> = {};
        if (issued) {
            expiries.ca = pulumi.output(issued.ca.expiresAt);
            for (const [n, cert] of Object.entries(issued.servers)) {
                expiries[`server/${n}`] = cert.expiresAt;
            }
        }
        this.certificateExpiry = pulumi.all(expiries);
        const servers: Record<string, pulumi.Output<{ certificatePem: string; privateKeyPem: string }>> = {};
        for (const [n, cert] of Object.entries(issued?.servers ?? {})) {
            servers[n] = pulumi.all([cert.certificatePem, cert.privateKeyPem]).apply(([certificatePem, privateKeyPem]) => ({ certificatePem, privateKeyPem }));
        }
        this.serverCertificates = pulumi.all(servers);
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
