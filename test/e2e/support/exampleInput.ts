import { withLocalChart } from "./pulumiProject";

// What the other-language examples build, as this repository's stack config: the reference they are compared with.

const NGINX_HOST = "my-nginx.mesh-external.svc.cluster.local";

/** The input of examples/python/__main__.py and examples/yaml/Pulumi.yaml, as the TypeScript stack's config. */
export const SAME_INPUT_AS_STACK_CONFIG = withLocalChart({
    "istio-egress:gateway": {},
    "istio-egress:certificates": {
        authority: { commonName: "example.com", organization: "example Inc.", keyAlgorithm: "RSA_2048" },
        servers: [{ name: "my-nginx", commonName: NGINX_HOST }],
        credentials: [{ name: "client-credential", client: { commonName: "client.example.com", organization: "client organization" } }],
    },
    "istio-egress:defaultAllowedSources": { namespaces: ["shop"] },
    "istio-egress:destinations": [
        { host: "edition.cnn.com", port: 443, protocol: "TLS", allowedSources: { serviceAccounts: ["shop/checkout"] } },
        {
            name: "nginx",
            host: NGINX_HOST,
            createServiceEntry: false,
            tls: { mode: "MUTUAL", credentialName: "client-credential", subjectAltNames: [NGINX_HOST] },
        },
    ],
});
