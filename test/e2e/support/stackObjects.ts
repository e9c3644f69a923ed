import { Stack } from "@pulumi/pulumi/automation";
import { KubeClient, KubeObject } from "./kubeClient";

// The Kubernetes objects a stack's state says it owns, and what the API server holds for them.

export interface StateObject {
    readonly urn: string;
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
    /** What Pulumi sent (secret values stay encrypted in state, so Secrets' data is not here). */
    readonly inputs: Record<string, unknown>;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Every Kubernetes object (not components, not providers) in the stack's checkpoint. */
export async function stateObjects(stack: Stack): Promise<StateObject[]> {
    const state = await stack.exportStack();
    const resources = ((state.deployment as { resources?: unknown[] }).resources ?? []) as {
        urn: string;
        type: string;
        custom?: boolean;
        inputs?: Record<string, unknown>;
        outputs?: Record<string, unknown>;
    }[];
    return resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"))
        .map((r) => {
            const out = r.outputs ?? {};
            const meta = (out.metadata ?? {}) as { name?: string; namespace?: string };
            if (typeof out.apiVersion !== "string" || typeof out.kind !== "string" || !meta.name) {
                throw new Error(`state of ${r.urn} has no apiVersion/kind/metadata.name`);
            }
            return {
                urn: r.urn,
                apiVersion: out.apiVersion,
                kind: out.kind,
                name: meta.name,
                namespace: meta.namespace,
                inputs: r.inputs ?? {},
            };
        });
}

export function describeObject(o: { kind: string; name: string; namespace?: string }): string {
    return `${o.kind}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

export async function liveObject(client: KubeClient, o: StateObject): Promise<KubeObject | undefined> {
    return client.find(await client.objectPath(o.apiVersion, o.kind, o.name, o.namespace));
}

/**
 * Paths where `sent` is not contained in `live`: every field Pulumi sent must be in the live
 * object with the same value (the server may add defaults, never change what was sent).
 */
export function notContained(sent: unknown, live: unknown, path = ""): string[] {
    if (isSecretValue(sent)) {
        return [];
    }
    if (Array.isArray(sent)) {
        if (!Array.isArray(live) || live.length !== sent.length) {
            return [`${path}: sent ${JSON.stringify(sent)}, live ${JSON.stringify(live)}`];
        }
        return sent.flatMap((v, i) => notContained(v, live[i], `${path}[${i}]`));
    }
    if (typeof sent === "object" && sent !== null) {
        if (typeof live !== "object" || live === null) {
            return [`${path}: sent an object, live ${JSON.stringify(live)}`];
        }
        return Object.entries(sent).flatMap(([k, v]) => notContained(v, (live as Record<string, unknown>)[k], `${path}.${k}`));
    }
    // Quantities and ports may come back normalised (e.g. "2" cpu stays "2", 1Gi stays 1Gi).
    return sent === live || String(sent) === String(live) ? [] : [`${path}: sent ${JSON.stringify(sent)}, live ${JSON.stringify(live)}`];
}

function isSecretValue(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] !== undefined;
}
