import * as pulumi from "@pulumi/pulumi";
// waitForRPCs is internal to @pulumi/pulumi (pinned, so it cannot move under us): it resolves
// once every pending registration has completed, which makes the tests deterministic.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

/** A resource as the mock engine saw it. */
export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

/** `kind/namespace/name` of a Kubernetes object's inputs, or undefined for anything else. */
function objectIdentity(inputs: Record<string, unknown>): string | undefined {
    const meta = inputs.metadata as { name?: unknown; namespace?: unknown } | undefined;
    if (typeof inputs.kind !== "string" || typeof meta?.name !== "string") {
        return undefined;
    }
    return `${inputs.kind}/${typeof meta.namespace === "string" ? meta.namespace : ""}/${meta.name}`;
}
const duplicates: string[] = [];

/** The fake expiry every mocked TLS certificate reports as `validityEndTime`. */
export const FAKE_VALIDITY_END_TIME = "2030-01-01T00:00:00Z";

/**
 * Outputs a real TLS provider computes, faked per resource name so tests can follow the wiring
 * (which key signs which certificate). Inputs win over these, so given values are never replaced.
 */
function tlsOutputs(type: string, name: string): Record<string, unknown> {
    switch (type) {
        case "tls:index/privateKey:PrivateKey":
            return { privateKeyPem: `PRIVATE KEY of ${name}`, publicKeyPem: `PUBLIC KEY of ${name}` };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: `CSR of ${name}` };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { certPem: `CERTIFICATE of ${name}`, validityEndTime: FAKE_VALIDITY_END_TIME };
        default:
            return {};
    }
}

pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
            // The engine refuses two resources with one URN (type and name, for one parent chain);
            // the mocks are stricter (one name per type in a test) and settle() reports it.
            if (registered.some((r) => r.type === args.type && r.name === args.name)) {
                duplicates.push(`${args.type} ${args.name}`);
            }
            // Two resources writing one Kubernetes object would fight over it in the cluster.
            const id = objectIdentity(args.inputs);
            if (id !== undefined && registered.some((r) => r.custom && objectIdentity(r.inputs) === id)) {
                duplicates.push(`object ${id} (again from ${args.name})`);
            }
            registered.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs: args.inputs });
            return {
                id: args.custom === false ? undefined : `${args.name}-id`,
                state: { ...tlsOutputs(args.type, args.name), ...args.inputs },
            };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            return args.inputs;
        },
    },
    "istio-egress",
    "test",
    false,
);

const warned: string[] = [];
// What the components warn about (pulumi.log.warn, a preview warning in a real run), kept for
// assertions instead of printed: the suites would otherwise print thousands of lines.
(pulumi.log as { warn: (message: string) => Promise<void> }).warn = async (message: string) => {
    warned.push(message);
};

/** The warnings logged since the last resetRegistrations. */
export function warnings(): string[] {
    return [...warned];
}

/** Forgets what earlier tests registered (and warned). */
export function resetRegistrations(): void {
    registered.length = 0;
    duplicates.length = 0;
    warned.length = 0;
}

/** Waits until every pending registration has reached the mocks, then returns them all; fails on a duplicate name. */
export async function settle(): Promise<Registered[]> {
    await waitForRPCs();
    if (duplicates.length > 0) {
        throw new Error(`duplicate resource names (the engine would refuse them): ${duplicates.join(", ")}`);
    }
    return [...registered];
}

/** The Kubernetes objects (custom resources) registered so far, after settling. */
export async function customResources(): Promise<Registered[]> {
    return (await settle()).filter((r) => r.custom);
}

/** The value inside an Output. */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        output.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}

/** A registered Kubernetes object's manifest fields, as a plain object. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels?: Record<string, string> };
    spec?: Record<string, unknown>;
    [key: string]: unknown;
}

/** The manifests of every registered Kubernetes object (Helm charts excluded), by `Kind/namespace/name`. */
export async function manifests(): Promise<Map<string, Manifest>> {
    const out = new Map<string, Manifest>();
    for (const r of await customResources()) {
        const m = r.inputs as unknown as Manifest;
        if (typeof m.kind === "string" && m.metadata) {
            out.set(`${m.kind}/${m.metadata.namespace}/${m.metadata.name}`, m);
        }
    }
    return out;
}

/** The one manifest with this id, failing clearly when it is missing. */
export function get(all: Map<string, Manifest>, id: string): Manifest {
    const m = all.get(id);
    if (!m) {
        throw new Error(`no ${id}; registered: ${[...all.keys()].join(", ")}`);
    }
    return m;
}
