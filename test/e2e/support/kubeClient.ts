import * as https from "node:https";

// A minimal Kubernetes REST client for the e2e tests: just enough to install CRDs and read objects
// back, so the tests need no kubectl. It talks to the harness's API server with a bearer token.

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        uid?: string;
        resourceVersion?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        deletionTimestamp?: string;
        creationTimestamp?: string;
    };
    [key: string]: unknown;
}

export interface KubeResponse {
    readonly status: number;
    readonly body: unknown;
}

export class KubeClient {
    private readonly plurals = new Map<string, Map<string, { name: string; namespaced: boolean }>>();

    constructor(
        private readonly server: string,
        private readonly token: string,
        private readonly caPem: string,
    ) {}

    /** The REST path of an object, its kind's plural name looked up by API discovery. */
    async objectPath(apiVersion: string, kind: string, name: string, namespace?: string): Promise<string> {
        let kinds = this.plurals.get(apiVersion);
        if (!kinds) {
            const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
            const list = await this.get<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(base);
            kinds = new Map(
                list.resources.filter((r) => !r.name.includes("/")).map((r) => [r.kind, { name: r.name, namespaced: r.namespaced }]),
            );
            this.plurals.set(apiVersion, kinds);
        }
        const r = kinds.get(kind);
        if (!r) {
            throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
        }
        return `${collectionPath(apiVersion, r.name, r.namespaced ? (namespace ?? "default") : undefined)}/${name}`;
    }

    request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
        const url = new URL(path, this.server);
        const payload = body === undefined ? undefined : JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const req = https.request(
                url,
                {
                    method,
                    ca: this.caPem,
                    headers: {
                        authorization: `Bearer ${this.token}`,
                        accept: "application/json",
                        ...(payload ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) } : {}),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: unknown = text;
                        try {
                            parsed = text ? JSON.parse(text) : undefined;
                        } catch {
                            // not JSON (e.g. /healthz): keep the text
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed });
                    });
                },
            );
            req.on("error", reject);
            if (payload) {
                req.write(payload);
            }
            req.end();
        });
    }

    /** GET that must succeed; returns the object. */
    async get<T = KubeObject>(path: string): Promise<T> {
        const r = await this.request("GET", path);
        if (r.status !== 200) {
            throw new Error(`GET ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        }
        return r.body as T;
    }

    /** GET that may find nothing: undefined on 404. */
    async find(path: string): Promise<KubeObject | undefined> {
        const r = await this.request("GET", path);
        if (r.status === 404) {
            return undefined;
        }
        if (r.status !== 200) {
            throw new Error(`GET ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        }
        return r.body as KubeObject;
    }

    async list(path: string): Promise<KubeObject[]> {
        const r = await this.get<{ items: KubeObject[] }>(path);
        return r.items;
    }

    /** Server-side apply, as `kubectl apply --server-side --force-conflicts` or a GitOps tool does. */
    async apply(obj: KubeObject, fieldManager: string): Promise<KubeObject> {
        const path = await this.objectPath(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
        // JSON is YAML: the apply patch content type takes it as it is.
        const r = await this.request(
            "PATCH",
            `${path}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`,
            obj,
            "application/apply-patch+yaml",
        );
        if (r.status !== 200 && r.status !== 201) {
            throw new Error(`apply ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        }
        return r.body as KubeObject;
    }

    /** DELETE that must succeed (or find nothing). */
    async remove(path: string): Promise<void> {
        const r = await this.request("DELETE", path);
        if (r.status !== 200 && r.status !== 202 && r.status !== 404) {
            throw new Error(`DELETE ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        }
    }

    async create(path: string, obj: unknown): Promise<KubeObject> {
        const r = await this.request("POST", path, obj);
        if (r.status !== 201 && r.status !== 200) {
            throw new Error(`POST ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        }
        return r.body as KubeObject;
    }
}

/** The REST path of a namespaced or cluster-scoped collection. */
export function collectionPath(apiVersion: string, plural: string, namespace?: string): string {
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}
