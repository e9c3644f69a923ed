// Stack configs that are not examples, rendered for the simulation suite's own tests
// (<dir>/fixtures/<name>.json, where the example-stack checks do not look).

/** scope-two-teams: destinations through the gateway, each allowed to one namespace only (TestSidecarScope, TestSharedHTTPSServer). */
export const FIXTURE_STACKS: Record<string, Record<string, unknown>> = {
    "scope-two-teams": {
        "istio-egress:gateway": {},
        "istio-egress:destinations": [
            { name: "a", host: "api.a.example.com", protocol: "HTTP", allowedSources: { namespaces: ["team-a"] } },
            { name: "b", host: "api.b.example.com", protocol: "TLS", port: 443, allowedSources: { namespaces: ["team-b"] } },
            // A second HTTP destination shares a's gateway server (one filter chain, routed by host).
            { name: "c", host: "api.c.example.com", protocol: "HTTP", allowedSources: { namespaces: ["team-b"] } },
        ],
    },
};
