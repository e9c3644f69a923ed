import { KubeObject } from "./kubeClient";

/**
 * What must be equal between two deployments of the same input: everything but what the API
 * server allocates (uid, timestamps, cluster IPs) and the key material, which is new on every
 * deployment (a Secret's keys are compared, not their values).
 */
export function comparable(o: KubeObject): unknown {
    const {
        metadata,
        status: _status,
        ...rest
    } = o as KubeObject & { status?: unknown; data?: Record<string, string>; spec?: Record<string, unknown> };
    const body: Record<string, unknown> = { ...rest };
    if (o.kind === "Secret") {
        body.data = Object.keys((rest as { data?: object }).data ?? {}).sort();
    }
    if (o.kind === "Service") {
        const { clusterIP: _ip, clusterIPs: _ips, ...spec } = (rest as { spec: Record<string, unknown> }).spec;
        body.spec = spec;
    }
    return {
        ...body,
        metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: metadata.annotations },
    };
}

export function comparableSet(live: Map<string, KubeObject>): Record<string, unknown> {
    return Object.fromEntries([...live].sort(([a], [b]) => a.localeCompare(b)).map(([k, o]) => [k, comparable(o)]));
}

/**
 * The same objects without the pulumi.com/skipAwait annotation, which the e2e's programs add
 * (the TypeScript test program to every object, other languages' only through gateway.skipAwait)
 * and the package never does.
 */
export function withoutSkipAwait(live: Map<string, KubeObject>): Map<string, KubeObject> {
    return new Map(
        [...live].map(([id, o]) => {
            const { "pulumi.com/skipAwait": _skip, ...annotations } = o.metadata.annotations ?? {};
            return [id, { ...o, metadata: { ...o.metadata, annotations: Object.keys(annotations).length > 0 ? annotations : undefined } }];
        }),
    );
}
