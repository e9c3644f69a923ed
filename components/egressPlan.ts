import { z } from "zod";
import { plannedArgs } from "../base/componentArgs";
import { ResolvedDestinations, resolvedDestinationsSchema } from "../validation/destinations";
import { parseOrThrow, ValidationError } from "../validation/format";
import { sourceNamespaces } from "../validation/sources";
import { EgressArgs, egressArgsSchema } from "./egressArgs";
import { EgressCertificatesArgs, egressCertificatesArgsSchema } from "./egressCertificates";
import { EgressDestinationsArgs } from "./egressDestinations";
import { EgressGatewayArgs, egressGatewayArgsSchema, egressGatewayRef } from "./egressGateway";
import { EgressNetworkPoliciesArgs, egressNetworkPoliciesArgsSchema } from "./egressNetworkPolicies";
import { checkObjectIdentities } from "./egressObjectIdentities";
import { ExternalHttpsProxyArgs, externalHttpsProxyArgsSchema } from "./externalHttpsProxy";
import { ForwardProxyRoutingArgs, forwardProxyRoutingArgsSchema } from "./forwardProxyRouting";
import { KubernetesEgressServiceArgs, kubernetesEgressServiceArgsSchema } from "./kubernetesEgressService";
import { RegistryOnlyOutboundArgs, registryOnlyOutboundArgsSchema } from "./registryOnlyOutbound";
import { SniProxyArgs, sniProxyArgsSchema, sniProxyRef } from "./sniProxy";

/**
 * What an Egress creates: the args of every child, each already validated (the children take
 * them as they are), decided from the Egress args alone, before anything is registered.
 */
export interface EgressPlan {
    readonly gateway?: EgressGatewayArgs;
    readonly certificates?: EgressCertificatesArgs;
    readonly sniProxy?: SniProxyArgs;
    readonly destinations?: EgressDestinationsArgs;
    /** The destinations with every default decided (what the objects are built from). */
    readonly resolvedDestinations?: ResolvedDestinations;
    readonly kubernetesServices: KubernetesEgressServiceArgs[];
    readonly externalProxies: ExternalHttpsProxyArgs[];
    readonly forwardProxies: ForwardProxyRoutingArgs[];
    readonly networkPolicies?: EgressNetworkPoliciesArgs;
    readonly registryOnly?: RegistryOnlyOutboundArgs;
}

const plans = new WeakMap<EgressArgs, EgressPlan>();

/**
 * Validates a whole egress setup at once and plans it, so that one bad field anywhere fails
 * before anything is registered, with its full path (`destinations[2].host`, `gateway.replicas`).
 * Args are immutable: the stack program validating first and the Egress component then planning
 * the same args object validate once.
 */
export function validateEgressArgs(args: EgressArgs): EgressPlan {
    const known = plans.get(args);
    if (known) {
        return known;
    }
    const plan = planEgress(args);
    plans.set(args, plan);
    return plan;
}

function planEgress(args: EgressArgs): EgressPlan {
    const base = parseOrThrow(egressArgsSchema, args);
    const gateway = base.gateway && args.gateway ? plannedArgs({ ...args.gateway }, egressGatewayArgsSchema, base.gateway) : undefined;
    const gatewayRef = base.gateway ? egressGatewayRef(base.gateway) : undefined;

    let sniProxy: SniProxyArgs | undefined;
    let validSniProxy: z.output<typeof sniProxyArgsSchema> | undefined;
    if (base.sniProxy) {
        // Each port forwards only the hosts of the destinations on it; extra ports, every proxied host.
        const proxied = (base.destinations ?? []).filter((d) => d.sniProxy);
        const portOf = (d: { port?: number }) => d.port ?? 443;
        const all = [...new Set(proxied.map((d) => d.host))];
        const ports = [...new Set([...proxied.map(portOf), ...(base.sniProxy.extraPorts ?? [])])];
        const { extraPorts: _extra, ...rest } = base.sniProxy;
        const built: SniProxyArgs = {
            ...rest,
            namespace: gatewayRef?.namespace,
            gatewaySelector: gatewayRef?.selector,
            routes: ports.map((port) => {
                const hosts = [...new Set(proxied.filter((d) => portOf(d) === port).map((d) => d.host))];
                return { port, allowedHosts: hosts.length > 0 ? hosts : all };
            }),
        };
        validSniProxy = parseOrThrow(sniProxyArgsSchema, built, "sniProxy");
        sniProxy = plannedArgs(built, sniProxyArgsSchema, validSniProxy);
    }

    let destinations: EgressDestinationsArgs | undefined;
    let resolvedDestinations: ResolvedDestinations | undefined;
    if (args.destinations && args.destinations.length > 0) {
        const built: EgressDestinationsArgs = {
            gateway: gatewayRef,
            namespace: args.namespace,
            destinations: args.destinations,
            sniProxy: validSniProxy ? sniProxyRef(validSniProxy) : undefined,
            exportTo: args.exportTo,
            defaultAllowedSources: args.defaultAllowedSources,
        };
        resolvedDestinations = parseOrThrow(resolvedDestinationsSchema, built);
        destinations = plannedArgs(built, resolvedDestinationsSchema, resolvedDestinations);
    }

    let certificates: EgressCertificatesArgs | undefined;
    if (base.certificates && args.certificates) {
        if ((base.certificates.credentials ?? []).length > 0 && !gatewayRef) {
            throw new ValidationError(
                "certificates.credentials: SDS credentials live in the egress gateway's namespace, and no gateway is configured (set gateway)",
                [],
            );
        }
        // A CA-only credential is named "<x>-cacert", which MUTUAL destinations may not name
        // (validation/destinations.ts): no separate check here.
        const namespace = gatewayRef?.namespace ?? "istio-system";
        certificates = plannedArgs({ ...args.certificates, namespace }, egressCertificatesArgsSchema, { ...base.certificates, namespace });
    }

    let networkPolicies: EgressNetworkPoliciesArgs | undefined;
    if (base.networkPolicies && args.networkPolicies) {
        if (!gatewayRef) {
            throw new ValidationError(
                "networkPolicies: fenced namespaces leave the cluster only through the egress gateway, and none is configured (set gateway)",
                [],
            );
        }
        // Ambient: ztunnel's tunnels start inside the pod's network namespace (istio-cni in-pod
        // redirection), so the same fence applies, with the waypoint's HBONE port as the way out.
        const fenced = base.networkPolicies.namespaces;
        const userBlocks = args.networkPolicies.ipBlocks ?? [];
        // A DIRECT destination leaves from the workload itself: its NetworkPolicy must let it out.
        (resolvedDestinations?.destinations ?? []).forEach((d, i) => {
            const users = d.sources ? sourceNamespaces(d.sources) : undefined;
            const fencedUser = fenced.find((ns) => users === undefined || users.includes(ns) || users.includes("*"));
            if (d.egress === "DIRECT" && fencedUser && userBlocks.length === 0) {
                throw new ValidationError(
                    `destinations[${i}]: ${JSON.stringify(d.host)} is DIRECT and namespace ${JSON.stringify(fencedUser)} is fenced by networkPolicies: list its addresses in networkPolicies.ipBlocks, or send it through the gateway`,
                    [],
                );
            }
        });
        // The proxies the mesh reaches directly (external and forward proxies) are address blocks the policies must open.
        const proxyBlocks = [
            ...(base.externalProxies ?? []).flatMap((p) => p.addresses.map((cidr) => ({ cidr, ports: [p.port] }))),
            ...(base.forwardProxies ?? []).flatMap((p) =>
                p.proxyAddresses.map((cidr) => ({ cidr, ports: [p.httpProxyPort, p.sniProxyPort] })),
            ),
        ];
        const built: EgressNetworkPoliciesArgs = {
            ...args.networkPolicies,
            gateway: gatewayRef,
            ipBlocks: [...userBlocks, ...proxyBlocks],
        };
        networkPolicies = plannedArgs(
            built,
            egressNetworkPoliciesArgsSchema,
            parseOrThrow(egressNetworkPoliciesArgsSchema, built, "networkPolicies"),
        );
    }

    let registryOnly: RegistryOnlyOutboundArgs | undefined;
    if (base.registryOnly && args.registryOnly) {
        // Registry-only sidecars still see the egress configuration: the gateway's namespace and
        // the namespace of the destinations' objects.
        const routes = [gatewayRef?.namespace, resolvedDestinations?.namespace].filter((n): n is string => n !== undefined && n !== "");
        const built: RegistryOnlyOutboundArgs = {
            ...args.registryOnly,
            importNamespaces: [...new Set([...(args.registryOnly.importNamespaces ?? []), ...routes])],
        };
        registryOnly = plannedArgs(
            built,
            registryOnlyOutboundArgsSchema,
            parseOrThrow(registryOnlyOutboundArgsSchema, built, "registryOnly"),
        );
    }

    // A forward proxy's domain that is also a destination's host: two VirtualServices for one host.
    for (const [i, p] of (base.forwardProxies ?? []).entries()) {
        const clash = (resolvedDestinations?.destinations ?? []).findIndex((d) => p.domains.includes(d.host));
        if (clash >= 0) {
            throw new ValidationError(
                `forwardProxies[${i}].domains: ${JSON.stringify(resolvedDestinations?.destinations[clash]?.host)} is also destinations[${clash}].host: sidecars take one VirtualService per host; route it one way`,
                [],
            );
        }
    }
    checkObjectIdentities({
        gateway: base.gateway,
        destinations: resolvedDestinations,
        sniProxy: validSniProxy,
        kubernetesServices: base.kubernetesServices ?? [],
        externalProxies: base.externalProxies ?? [],
        forwardProxies: base.forwardProxies ?? [],
        networkPolicies: base.networkPolicies,
        registryOnly: base.registryOnly,
        credentialNames: (base.certificates?.credentials ?? []).map((c) => c.name),
    });
    const list = <T extends object, S extends z.ZodType>(
        items: readonly T[] | undefined,
        valid: z.output<S>[] | undefined,
        schema: S,
    ): T[] => (items ?? []).map((item, i) => plannedArgs({ ...item }, schema, (valid ?? [])[i] as z.output<S>));
    return {
        gateway,
        certificates,
        sniProxy,
        destinations,
        resolvedDestinations,
        kubernetesServices: list(args.kubernetesServices, base.kubernetesServices, kubernetesEgressServiceArgsSchema),
        externalProxies: list(args.externalProxies, base.externalProxies, externalHttpsProxyArgsSchema),
        forwardProxies: list(args.forwardProxies, base.forwardProxies, forwardProxyRoutingArgsSchema),
        networkPolicies,
        registryOnly,
    };
}
