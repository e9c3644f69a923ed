import fc from "fast-check";
import type { EgressArgs } from "../../api";

// Random whole-setup configurations for the property test: mostly valid-looking ones built from
// the pieces users combine, and near-valid mutations of them (one field replaced by a value a
// user could plausibly write). The validation promise must hold for every one.

const namespaces = ["shop", "payments", "test-egress", "default", "istio-system", "a-b", "a"];
const hosts = [
    "api.example.com",
    "edition.cnn.com",
    "www.wikipedia.org",
    "*.wikipedia.org",
    "*.partner.example.com",
    "my-nginx.mesh-external.svc.cluster.local",
    "api.stripe.com",
    "www.qq.com",
    "*.qq.com",
];
const names = ["cnn", "api", "istio-egressgateway", "egress-sni-proxy", "nginx-proxy", "nginx-proxy-http", "corp", "b-c", "c"];

const sources = fc.oneof(
    fc.record({ namespaces: fc.subarray(["shop", "payments", "*"], { minLength: 1 }) }),
    fc.record({ serviceAccounts: fc.subarray(["shop/checkout", "payments/api"], { minLength: 1 }) }),
);

const destination = fc.record(
    {
        name: fc.option(fc.constantFrom(...names), { nil: undefined }),
        host: fc.constantFrom(...hosts),
        protocol: fc.option(fc.constantFrom("HTTP", "TLS"), { nil: undefined }),
        port: fc.option(fc.constantFrom(80, 443, 8443, 9443), { nil: undefined }),
        egress: fc.option(fc.constantFrom("GATEWAY", "DIRECT"), { nil: undefined }),
        servingHost: fc.option(fc.constantFrom("www.wikipedia.org", "api.partner.example.com"), { nil: undefined }),
        sniProxy: fc.option(fc.boolean(), { nil: undefined }),
        createServiceEntry: fc.option(fc.boolean(), { nil: undefined }),
        tls: fc.option(
            fc.record(
                {
                    mode: fc.option(fc.constantFrom("SIMPLE", "MUTUAL"), { nil: undefined }),
                    credentialName: fc.option(fc.constantFrom("client-credential", "client-credential-cacert"), { nil: undefined }),
                },
                { requiredKeys: [] },
            ),
            { nil: undefined },
        ),
        allowedSources: fc.option(sources, { nil: undefined }),
    },
    { requiredKeys: ["host"] },
);

const gateway = fc.record(
    {
        api: fc.option(fc.constantFrom("ISTIO", "GATEWAY_API"), { nil: undefined }),
        dataPlane: fc.option(fc.constantFrom("SIDECAR", "AMBIENT"), { nil: undefined }),
        namespace: fc.option(fc.constantFrom("istio-system", "istio-egress"), { nil: undefined }),
        ports: fc.option(
            fc.constantFrom(
                [
                    { port: 80, protocol: "HTTP" },
                    { port: 443, protocol: "TLS" },
                ],
                [
                    { port: 80, protocol: "HTTP" },
                    { port: 443, protocol: "TLS" },
                    { port: 9443, protocol: "TLS" },
                ],
                [
                    { port: 80, protocol: "HTTP" },
                    { port: 443, protocol: "TLS" },
                    { port: 8443, protocol: "TLS" },
                ],
            ),
            { nil: undefined },
        ),
        replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    },
    { requiredKeys: [] },
);

const kubernetesService = fc.oneof(
    fc.record({
        name: fc.constantFrom(...names),
        namespace: fc.constantFrom(...namespaces),
        externalName: fc.constantFrom("httpbin.org", "api.example.com"),
        ports: fc.constant([{ port: 80, name: "http" }]),
    }),
    fc.record({
        name: fc.constantFrom(...names),
        namespace: fc.constantFrom(...namespaces),
        addresses: fc.constant(["91.198.174.192"]),
        ports: fc.constant([{ port: 443, name: "https" }]),
    }),
);

const externalProxy = fc.record({
    name: fc.constantFrom(...names),
    namespace: fc.constantFrom(...namespaces),
    addresses: fc.constantFrom(["10.20.30.40/32"], ["10.20.30.0/24"]),
    port: fc.constantFrom(3128, 8080),
});

const forwardProxy = fc.record({
    name: fc.constantFrom(...names),
    namespace: fc.constantFrom(...namespaces),
    domains: fc.constantFrom(["*.qq.com"], ["www.qq.com"]),
    proxyAddresses: fc.constant(["10.0.0.1"]),
});

/** Any combination of the pieces, consistent or not: finds the cross-field rules. */
export const wildConfig: fc.Arbitrary<EgressArgs> = fc
    .record(
        {
            gateway: fc.option(gateway, { nil: undefined }),
            namespace: fc.option(fc.constantFrom("default", "payments"), { nil: undefined }),
            destinations: fc.option(fc.array(destination, { maxLength: 4 }), { nil: undefined }),
            defaultAllowedSources: fc.option(sources, { nil: undefined }),
            sniProxy: fc.option(
                fc.record(
                    { name: fc.option(fc.constantFrom("egress-sni-proxy", "istio-egressgateway"), { nil: undefined }) },
                    { requiredKeys: [] },
                ),
                { nil: undefined },
            ),
            kubernetesServices: fc.option(fc.array(kubernetesService, { maxLength: 2 }), { nil: undefined }),
            externalProxies: fc.option(fc.array(externalProxy, { maxLength: 2 }), { nil: undefined }),
            forwardProxies: fc.option(fc.array(forwardProxy, { maxLength: 1 }), { nil: undefined }),
            networkPolicies: fc.option(fc.record({ namespaces: fc.subarray(["shop", "test-egress"], { minLength: 1 }) }), {
                nil: undefined,
            }),
            registryOnly: fc.option(fc.record({ namespaces: fc.subarray(["shop", "payments"], { minLength: 1 }) }), { nil: undefined }),
            exportTo: fc.option(fc.constantFrom(["."], ["shop"], ["*"]), { nil: undefined }),
        },
        { requiredKeys: [] },
    )
    .map((c) => JSON.parse(JSON.stringify(c)) as EgressArgs);

type DestinationKind = "http" | "tls" | "origination" | "direct" | "wildcard" | "sni";

function destinationOf(kind: DestinationKind, i: number, allowed: { namespaces: string[] } | undefined): Record<string, unknown> {
    const host = `api-${i}.vendor.example.com`;
    const access = allowed ? { allowedSources: allowed } : {};
    switch (kind) {
        case "http":
            return { name: `d${i}`, host, protocol: "HTTP", ...access };
        case "tls":
            return { name: `d${i}`, host, protocol: "TLS", ...access };
        case "origination":
            return { name: `d${i}`, host, tls: { mode: "SIMPLE" }, ...access };
        case "direct":
            return { name: `d${i}`, host, protocol: "TLS", egress: "DIRECT", ...access };
        case "wildcard":
            return { name: `d${i}`, host: `*.site-${i}.example.org`, protocol: "TLS", servingHost: `www.site-${i}.example.org`, ...access };
        case "sni":
            return { name: `d${i}`, host: `*.any-${i}.example.org`, protocol: "TLS", sniProxy: true, ...access };
    }
}

/** A consistent whole-setup configuration, of the kind users write. */
export const egressConfig: fc.Arbitrary<EgressArgs> = fc
    .record({
        kinds: fc.array(fc.constantFrom<DestinationKind>("http", "tls", "origination", "direct", "wildcard", "sni"), { maxLength: 5 }),
        allowed: fc.array(fc.option(fc.record({ namespaces: fc.subarray(["shop", "payments"], { minLength: 1 }) }), { nil: undefined }), {
            minLength: 5,
            maxLength: 5,
        }),
        gatewayNamespace: fc.constantFrom("istio-system", "istio-egress"),
        // A Gateway API gateway takes HTTP, origination and DIRECT destinations (validation refuses the rest).
        api: fc.constantFrom("ISTIO", "ISTIO", "GATEWAY_API", "AMBIENT"),
        extras: fc.record({
            kubernetesServices: fc.boolean(),
            externalProxies: fc.boolean(),
            forwardProxies: fc.boolean(),
            networkPolicies: fc.boolean(),
            registryOnly: fc.boolean(),
            exportTo: fc.boolean(),
        }),
        // Now and then, two entries that would write one object (what users do by accident).
        clash: fc.constantFrom(
            "none",
            "none",
            "none",
            "destination-named-like-gateway",
            "service-named-like-forward-proxy",
            "sni-proxy-named-like-gateway",
        ),
    })
    .map(({ kinds: anyKinds, allowed, gatewayNamespace, api, extras, clash }) => {
        const gatewayApiKind: Record<DestinationKind, DestinationKind> = {
            http: "http",
            origination: "origination",
            direct: "direct",
            tls: "origination",
            wildcard: "http",
            sni: "direct",
        };
        // A waypoint takes the app's TLS too; wildcards and the SNI proxy nowhere but with the Istio API.
        const waypointKind: Record<DestinationKind, DestinationKind> = { ...gatewayApiKind, tls: "tls", sni: "tls" };
        const kinds =
            api === "GATEWAY_API"
                ? anyKinds.map((k) => gatewayApiKind[k])
                : api === "AMBIENT"
                  ? anyKinds.map((k) => waypointKind[k])
                  : anyKinds;
        const destinations = kinds.map((k, i) => destinationOf(k, i, allowed[i]));
        if (clash === "destination-named-like-gateway" && destinations.length > 0) {
            destinations[0] = { ...destinations[0], name: "istio-egressgateway", allowedSources: { namespaces: ["shop"] } };
        }
        if (clash === "service-named-like-forward-proxy") {
            extras.kubernetesServices = false;
            extras.forwardProxies = true;
        }
        const config: Record<string, unknown> = {
            gateway: {
                namespace: gatewayNamespace,
                ...(api === "GATEWAY_API" ? { api } : api === "AMBIENT" ? { api: "GATEWAY_API", dataPlane: "AMBIENT" } : {}),
            },
            ...(destinations.length > 0 ? { destinations } : {}),
            ...(kinds.includes("direct") ? { namespace: gatewayNamespace } : {}),
            ...(kinds.includes("sni") ? { sniProxy: clash === "sni-proxy-named-like-gateway" ? { name: "istio-egressgateway" } : {} } : {}),
            ...(clash === "service-named-like-forward-proxy"
                ? {
                      kubernetesServices: [
                          { name: "nginx-proxy-http", namespace: "default", addresses: ["10.0.0.9"], ports: [{ port: 8080 }] },
                      ],
                  }
                : {}),
            ...(extras.kubernetesServices
                ? {
                      kubernetesServices: [
                          { name: "my-httpbin", namespace: "default", externalName: "httpbin.org", ports: [{ port: 80, name: "http" }] },
                      ],
                  }
                : {}),
            ...(extras.externalProxies
                ? { externalProxies: [{ name: "corp-proxy", namespace: "default", addresses: ["10.20.30.40/32"], port: 3128 }] }
                : {}),
            ...(extras.forwardProxies
                ? { forwardProxies: [{ name: "nginx-proxy", namespace: "default", domains: ["*.qq.com"], proxyAddresses: ["10.0.0.1"] }] }
                : {}),
            ...(extras.networkPolicies && !kinds.includes("direct") ? { networkPolicies: { namespaces: ["shop"] } } : {}),
            ...(extras.registryOnly ? { registryOnly: { namespaces: ["shop"] } } : {}),
            ...(extras.exportTo ? { exportTo: ["shop"] } : {}),
        };
        return config as EgressArgs;
    });

/** Values a user could plausibly put in the wrong place. */
const badValues: unknown[] = [
    "",
    "*",
    "*.com",
    "Edition.CNN.com",
    "0.0.0.0/0",
    "169.254.169.254",
    0,
    -1,
    70000,
    80.5,
    "80",
    null,
    [],
    {},
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANsecret\n-----END PRIVATE KEY-----",
    "x".repeat(3000),
];

/** A configuration with one field (anywhere in it) replaced by a plausible wrong value. */
export const nearValidConfig: fc.Arbitrary<EgressArgs> = fc
    .tuple(egressConfig, fc.nat(), fc.constantFrom(...badValues))
    .map(([config, pick, bad]) => {
        const paths: (string | number)[][] = [];
        const walk = (v: unknown, path: (string | number)[]) => {
            if (path.length > 0) {
                paths.push(path);
            }
            if (Array.isArray(v)) {
                v.forEach((x, i) => walk(x, [...path, i]));
            } else if (v !== null && typeof v === "object") {
                Object.entries(v).forEach(([k, x]) => walk(x, [...path, k]));
            }
        };
        walk(config, []);
        if (paths.length === 0) {
            return config;
        }
        const path = paths[pick % paths.length] as (string | number)[];
        const copy = JSON.parse(JSON.stringify(config)) as Record<string | number, unknown>;
        let cur: Record<string | number, unknown> = copy;
        for (const key of path.slice(0, -1)) {
            cur = cur[key] as Record<string | number, unknown>;
        }
        cur[path[path.length - 1] as string | number] = bad;
        return copy as EgressArgs;
    });
