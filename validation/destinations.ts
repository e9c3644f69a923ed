import { z } from "zod";
import { createHash } from "node:crypto";
import {
    checkUnique,
    dnsLabel,
    exportToSchema,
    exactHost,
    hostPattern,
    isDnsSubdomain,
    isWildcard,
    namespaceName,
    nonEmptyList,
    oneOfEnum,
    portNumber,
} from "./common";
import { DestinationProtocol, EgressMode, OriginationMode, Resolution } from "./modes";
import { GatewayRef, gatewayRefSchema } from "./gateway";
import { ResolvedSources, resolveSources, sourcesSchema } from "./sources";
import { reservedSdsPrefix, SDS_CA_ONLY_SUFFIX } from "./sdsNames";

export const DESTINATION_PROTOCOLS = ["HTTP", "TLS"] as const;
export const EGRESS_MODES = ["GATEWAY", "DIRECT"] as const;
export const RESOLUTIONS = ["DNS", "DNS_ROUND_ROBIN", "NONE"] as const;
export const ORIGINATION_MODES = ["SIMPLE", "MUTUAL"] as const;

const credentialName = z.string().refine(isDnsSubdomain, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a valid Secret name`,
});

export const originationSchema = z.strictObject({
    mode: oneOfEnum(OriginationMode).optional(),
    port: portNumber.optional(),
    credentialName: credentialName.optional(),
    sni: exactHost.optional(),
    subjectAltNames: z.array(z.string().min(1, { error: "must not be empty" })).optional(),
});

export const destinationSchema = z.strictObject({
    name: dnsLabel.optional(),
    host: hostPattern,
    protocol: oneOfEnum(DestinationProtocol).optional(),
    port: portNumber.optional(),
    egress: oneOfEnum(EgressMode).optional(),
    resolution: oneOfEnum(Resolution).optional(),
    servingHost: exactHost.optional(),
    sniProxy: z.boolean().optional(),
    gatewayPort: portNumber.optional(),
    createServiceEntry: z.boolean().optional(),
    tls: originationSchema.optional(),
    allowedSources: sourcesSchema.optional(),
});

export const sniProxyRefSchema = z.strictObject({
    host: exactHost,
    ports: nonEmptyList(portNumber, "port"),
});

export type ValidSniProxyRef = z.output<typeof sniProxyRefSchema>;

export const destinationsArgsSchema = z.strictObject({
    gateway: gatewayRefSchema.optional(),
    namespace: namespaceName.optional(),
    destinations: nonEmptyList(destinationSchema, "destination"),
    sniProxy: sniProxyRefSchema.optional(),
    exportTo: exportToSchema.optional(),
    defaultAllowedSources: sourcesSchema.optional(),
});

/** TLS origination after defaults. */
export interface ResolvedOrigination {
    readonly mode: "SIMPLE" | "MUTUAL";
    readonly port: number;
    readonly credentialName?: string;
    readonly sni: string;
    readonly subjectAltNames?: string[];
}

/** One destination with every default decided: what the Istio builders consume. */
export interface ResolvedDestination {
    readonly name: string;
    readonly host: string;
    readonly protocol: "HTTP" | "TLS";
    readonly port: number;
    readonly egress: "GATEWAY" | "DIRECT";
    readonly resolution: "DNS" | "DNS_ROUND_ROBIN" | "NONE";
    readonly servingHost?: string;
    readonly sniProxy: boolean;
    readonly gatewayPort?: number;
    readonly createServiceEntry: boolean;
    readonly tls?: ResolvedOrigination;
    /** Who may use the destination through the gateway; undefined: nobody (the gateway refuses every caller). */
    readonly sources?: ResolvedSources;
}

export interface ResolvedDestinations {
    readonly gateway?: GatewayRef;
    readonly namespace: string;
    readonly destinations: ResolvedDestination[];
    readonly sniProxy?: ValidSniProxyRef;
    readonly exportTo?: string[];
}

/** `*.wikipedia.org` → `wildcard-wikipedia-org`; long names are shortened with a stable hash. */
export function destinationNameFromHost(host: string): string {
    const base = host.replace(/^\*\./, "wildcard.").replace(/\./g, "-");
    if (base.length <= 63) {
        return base;
    }
    const hash = createHash("sha256").update(host).digest("hex").slice(0, 8);
    return `${base.slice(0, 54).replace(/-+$/, "")}-${hash}`;
}

/** True when `name` (a certificate SAN, possibly `*.x`) covers `host`. */
export function sanMatchesHost(san: string, host: string): boolean {
    if (san === host) {
        return true;
    }
    if (san.startsWith("*.")) {
        const suffix = san.slice(1);
        return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes(".");
    }
    return false;
}

type RawDestination = z.output<typeof destinationSchema>;
type Issue = { path: PropertyKey[]; message: string };

/**
 * What a destination through a Gateway API gateway cannot do (Istio 1.30, Gateway API v1.5.1).
 * The gateway checks each caller's Istio mTLS identity, so it terminates Istio mTLS on every
 * listener; the app's own TLS inside would then need a TCPRoute, which v1.5.1 has only in its
 * experimental channel, as v1alpha2, and which the istiod we simulate reads from v1.6.0 on
 * (TestGatewayAPIPassthroughNeedsTCPRoute). A waypoint gets the identity from HBONE instead, and
 * takes TLS. A route, and a waypoint's ServiceEntry, take exact hosts, never a wildcard.
 */
function gatewayApiLimits(
    d: RawDestination,
    protocol: string,
    wildcard: boolean,
    waypoint: boolean,
    fail: (message: string, ...p: PropertyKey[]) => void,
): void {
    const use = `use a gateway with api "ISTIO"`;
    if (wildcard) {
        fail(`${JSON.stringify(d.host)}: a Gateway API gateway or waypoint takes exact hosts, not wildcards; ${use}`, "host");
    } else if (protocol === "TLS" && !waypoint) {
        fail(
            `"TLS" (the app's own TLS) cannot pass a Gateway API gateway with the caller's identity checked (that takes a TCPRoute, not in Gateway API v1.5.1's standard channel); ${use}`,
            d.protocol !== undefined ? "protocol" : "port",
        );
    }
    if (d.createServiceEntry === false) {
        const why = waypoint
            ? "a waypoint takes the traffic of the destination's own ServiceEntry, labelled to use it"
            : "through a Gateway API gateway the sidecars' route attaches to the destination's own ServiceEntry";
        fail(`false: ${why}; ${use}`, "createServiceEntry");
    }
}

function resolveOne(d: RawDestination, i: number, args: z.output<typeof destinationsArgsSchema>, issues: Issue[]): ResolvedDestination {
    const at = (...p: PropertyKey[]) => ["destinations", i, ...p];
    const fail = (message: string, ...p: PropertyKey[]) => issues.push({ path: at(...p), message });
    const wildcard = isWildcard(d.host);
    const tls = d.tls;
    const protocol = d.protocol ?? (tls ? "HTTP" : d.port === 443 ? "TLS" : "HTTP");
    const port = d.port ?? (protocol === "TLS" ? 443 : 80);
    const egress = d.egress ?? (args.gateway ? "GATEWAY" : "DIRECT");
    const sniProxy = d.sniProxy ?? false;
    const resolution = d.resolution ?? (wildcard && !d.servingHost ? "NONE" : "DNS");

    if (egress === "GATEWAY" && !args.gateway) {
        fail(`"GATEWAY" needs an egress gateway, and none is configured (set gateway, or egress "DIRECT")`, d.egress ? "egress" : "host");
    }
    if (wildcard && !d.servingHost && resolution !== "NONE") {
        fail(
            `${JSON.stringify(resolution)} cannot resolve wildcard host ${JSON.stringify(d.host)}: use resolution "NONE", a servingHost or an SNI proxy`,
            "resolution",
        );
    }
    if (wildcard && egress === "GATEWAY" && !d.servingHost && !sniProxy) {
        fail(
            `${JSON.stringify(d.host)} through the egress gateway needs servingHost (one host serves them all) or sniProxy (arbitrary hosts): the gateway cannot route a wildcard by itself`,
            "host",
        );
    }
    if (d.servingHost !== undefined && !wildcard) {
        fail(`${JSON.stringify(d.servingHost)} is only for wildcard hosts, and ${JSON.stringify(d.host)} is exact`, "servingHost");
    }
    if (d.servingHost !== undefined && wildcard && !d.servingHost.endsWith(d.host.slice(1))) {
        fail(`${JSON.stringify(d.servingHost)} is not one of the hosts ${JSON.stringify(d.host)} names`, "servingHost");
    }
    if (sniProxy) {
        if (d.servingHost !== undefined) {
            fail("servingHost and sniProxy are alternatives: set one", "sniProxy");
        } else if (protocol !== "TLS") {
            fail(`the SNI proxy routes by SNI, so the destination's protocol must be "TLS", not ${JSON.stringify(protocol)}`, "sniProxy");
        } else if (egress !== "GATEWAY") {
            fail(`the SNI proxy sits beside the egress gateway: egress must be "GATEWAY", not ${JSON.stringify(egress)}`, "sniProxy");
        } else if (!args.sniProxy) {
            fail("true needs an SNI proxy, and none is configured (set sniProxy)", "sniProxy");
        } else if (!args.sniProxy.ports.includes(port)) {
            fail(`port ${port} is not a port the SNI proxy listens on (${args.sniProxy.ports.join(", ")})`, "port");
        }
    }

    if (egress === "GATEWAY" && args.gateway?.api === "GATEWAY_API") {
        gatewayApiLimits(d, protocol, wildcard, args.gateway.dataPlane === "AMBIENT", fail);
    }

    let origination: ResolvedOrigination | undefined;
    if (tls) {
        const mode = tls.mode ?? "SIMPLE";
        const sni = tls.sni ?? d.host;
        if (protocol !== "HTTP") {
            fail(
                `TLS origination is for applications that send plain HTTP: protocol must be "HTTP", not ${JSON.stringify(protocol)}`,
                "tls",
            );
        } else if (wildcard) {
            fail(`TLS origination needs an exact host to verify, not the wildcard ${JSON.stringify(d.host)}`, "tls");
        } else if (mode === "MUTUAL" && egress !== "GATEWAY") {
            fail(
                `"MUTUAL" origination happens at the egress gateway, where the client certificate lives: set egress "GATEWAY"`,
                "tls",
                "mode",
            );
        } else if (mode === "MUTUAL" && !tls.credentialName) {
            fail(
                `"MUTUAL" needs tls.credentialName: an SDS Secret holding the client certificate (tls.crt, tls.key) and ca.crt`,
                "tls",
                "mode",
            );
        }
        const reserved = tls.credentialName !== undefined ? reservedSdsPrefix(tls.credentialName) : undefined;
        if (reserved) {
            fail(
                `${JSON.stringify(tls.credentialName)} starts with "${reserved}": Istio does not serve Secrets named "istio*" or "prometheus*" over SDS`,
                "tls",
                "credentialName",
            );
        } else if (mode === "MUTUAL" && tls.credentialName?.endsWith(SDS_CA_ONLY_SUFFIX)) {
            fail(
                `${JSON.stringify(tls.credentialName)} ends with "${SDS_CA_ONLY_SUFFIX}", which Istio reads as a CA-only credential: MUTUAL needs the Secret with the client certificate`,
                "tls",
                "credentialName",
            );
        }
        const sans = tls.subjectAltNames;
        if (sans && sans.length > 0 && !sans.some((s) => sanMatchesHost(s, sni))) {
            fail(
                `none of ${JSON.stringify(sans)} matches the host ${JSON.stringify(sni)} the connection is made to`,
                "tls",
                "subjectAltNames",
            );
        }
        origination = { mode, port: tls.port ?? 443, credentialName: tls.credentialName, sni, subjectAltNames: tls.subjectAltNames };
    }

    let gatewayPort: number | undefined;
    if (egress === "GATEWAY" && args.gateway?.dataPlane === "AMBIENT") {
        if (d.gatewayPort !== undefined) {
            fail(`is not used with a waypoint: it takes every destination on its HBONE port`, "gatewayPort");
        }
    } else if (egress === "GATEWAY" && args.gateway) {
        const carriesTls = protocol === "TLS" || origination !== undefined;
        gatewayPort = d.gatewayPort ?? (origination ? 443 : carriesTls ? port : 80);
        const gp = args.gateway.ports.find((p) => p.port === gatewayPort);
        const wanted = carriesTls ? "TLS" : "HTTP";
        const where = d.gatewayPort !== undefined ? "gatewayPort" : "port";
        if (!gp) {
            fail(
                `gateway port ${gatewayPort}${d.gatewayPort === undefined ? " (the default for this destination)" : ""} is not a port of egress gateway ${JSON.stringify(args.gateway.name)} (${args.gateway.ports.map((p) => `${p.port}/${p.protocol}`).join(", ")})`,
                where,
            );
        } else if (gp.protocol !== wanted) {
            fail(`gateway port ${gatewayPort} carries ${gp.protocol}, but this destination needs a ${wanted} port`, where);
        }
    } else if (d.gatewayPort !== undefined) {
        fail(`is only used with egress "GATEWAY" (this destination is ${JSON.stringify(egress)})`, "gatewayPort");
    }

    return {
        name: d.name ?? destinationNameFromHost(d.host),
        host: d.host,
        protocol,
        port,
        egress,
        resolution,
        servingHost: d.servingHost,
        sniProxy,
        gatewayPort,
        createServiceEntry: d.createServiceEntry ?? true,
        tls: origination,
        sources: d.allowedSources
            ? resolveSources(d.allowedSources)
            : args.defaultAllowedSources
              ? resolveSources(args.defaultAllowedSources)
              : undefined,
    };
}

/** Validates destination args and decides every default. Issues carry paths like `destinations[2].host`. */
export const resolvedDestinationsSchema = destinationsArgsSchema.transform((args, ctx): ResolvedDestinations => {
    const issues: Issue[] = [];
    const destinations = args.destinations.map((d, i) => resolveOne(d, i, args, issues));
    const namespace = args.namespace ?? args.gateway?.namespace;
    if (!namespace) {
        issues.push({ path: ["namespace"], message: "is required when no gateway is given (the namespace for the Istio objects)" });
    }
    if (args.gateway && args.namespace && args.namespace !== args.gateway.namespace && destinations.some((d) => d.egress === "GATEWAY")) {
        issues.push({
            path: ["namespace"],
            message: `${JSON.stringify(args.namespace)} differs from the gateway's namespace ${JSON.stringify(args.gateway.namespace)}: routes through the gateway live beside it`,
        });
    }
    for (const issue of issues) {
        ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: args });
    }
    // Duplicates and conflicts across destinations.
    checkUnique(
        destinations,
        (d) => d.name,
        ctx,
        (i) => ["destinations", i, args.destinations[i]?.name ? "name" : "host"],
        "destination name",
    );
    checkUnique(
        destinations,
        (d) => `${d.host}:${d.port}`,
        ctx,
        (i) => ["destinations", i, "host"],
        "destination host:port",
    );
    // Sidecars apply one VirtualService (and one DestinationRule) per host, and Istio keeps one
    // Gateway server per host and port: a second destination of the same host that routes or
    // originates would silently lose its routes.
    const routedHosts = new Map<string, number>();
    destinations.forEach((d, i) => {
        if (d.egress === "DIRECT" && !d.tls) {
            return;
        }
        const first = routedHosts.get(d.host);
        if (first === undefined) {
            routedHosts.set(d.host, i);
        } else {
            ctx.addIssue({
                code: "custom",
                path: ["destinations", i, "host"],
                message: `${JSON.stringify(d.host)} is already routed by destinations[${first}]: sidecars take one VirtualService per host and would drop one of them; keep one destination per host`,
                input: args,
            });
        }
    });
    const portUse = new Map<number, { cls: string; index: number }>();
    destinations.forEach((d, i) => {
        if (d.gatewayPort === undefined) {
            return;
        }
        const cls = d.protocol === "TLS" || d.tls ? "TLS" : "HTTP";
        const prev = portUse.get(d.gatewayPort);
        if (prev && prev.cls !== cls) {
            ctx.addIssue({
                code: "custom",
                path: ["destinations", i, args.destinations[i]?.gatewayPort ? "gatewayPort" : "port"],
                message: `gateway port ${d.gatewayPort} would carry ${cls} here and ${prev.cls} for destinations[${prev.index}]: one port, one protocol`,
                input: args,
            });
        } else if (!prev) {
            portUse.set(d.gatewayPort, { cls, index: i });
        }
    });
    return { gateway: args.gateway, namespace: namespace ?? "", destinations, sniProxy: args.sniProxy, exportTo: args.exportTo };
});
