import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { startCluster, TestCluster } from "./cluster";
import { KubeObject } from "./kubeClient";
import { createProject, E2eProject, OperationLog, REPO_ROOT } from "./pulumiProject";
import { describeObject, liveObject, notContained, StateObject } from "./stackObjects";

// What every e2e file shares: one control plane and one Pulumi project for the whole run, and
// the steps the tests repeat (up, read back, destroy, look for private keys).

/** Istio's CRDs, and the Gateway API's standard channel (v1.5.1), which Istio 1.30 implements. */
const CRDS = [
    path.resolve(REPO_ROOT, "../shared/istio/crd-all.gen.yaml"),
    path.resolve(REPO_ROOT, "../shared/gateway-api/crds-standard.yaml"),
];
/** Namespaces an Istio cluster already has (istio-system) and the app namespaces the examples use. */
export const PREEXISTING_NAMESPACES = ["istio-system", "test-egress", "payments", "shop"];

export interface E2eContext {
    cluster: TestCluster;
    project: E2eProject;
}

const ctx: Partial<E2eContext> = {};

/** Starts the control plane and the project (root before-all hook). */
export async function startE2e(): Promise<void> {
    ctx.cluster = await startCluster({ crdFiles: CRDS });
    for (const name of PREEXISTING_NAMESPACES) {
        await ctx.cluster.client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
    ctx.project = await createProject(ctx.cluster.kubeconfigPath);
}

/** Stops everything (root after-all hook), even after a failed start. */
export async function stopE2e(): Promise<void> {
    ctx.project?.cleanup();
    await ctx.cluster?.stop();
}

/** The shared cluster and project (set up once by `mochaHooks` in rootHooks.ts). */
export function e2e(): E2eContext {
    if (!ctx.cluster || !ctx.project) {
        throw new Error("the e2e cluster did not start (see the before-all hook's error)");
    }
    return ctx as E2eContext;
}

/** Runs `pulumi up` and fails with the engine's output if anything went wrong. */
export async function up(stack: Stack, log = new OperationLog()): Promise<OperationLog> {
    let output = "";
    try {
        await stack.up({
            onEvent: log.onEvent,
            onOutput: (s) => {
                output += s;
            },
        });
    } catch (e) {
        throw new Error(`pulumi up of ${stack.name} failed:\n${output.slice(-6000)}\n${(e as Error).message.slice(-3000)}`);
    }
    return log;
}

/** `pulumi destroy`, then: none of the stack's objects is left in the API server. */
export async function destroyAndCheck(stack: Stack, objects: StateObject[]): Promise<void> {
    const e = e2e();
    await stack.destroy({});
    // A deleted Namespace terminates in the background (the namespace controller empties it
    // first): give terminating objects a minute to go, so the next stack can create it again.
    const deadline = Date.now() + 60_000;
    let left: string[] = [];
    for (;;) {
        left = [];
        let terminating = false;
        for (const o of objects) {
            const live = await liveObject(e.cluster.client, o);
            if (live) {
                terminating ||= live.metadata.deletionTimestamp !== undefined;
                left.push(`${describeObject(o)}${live.metadata.deletionTimestamp ? " (terminating)" : ""}`);
            }
        }
        if (!terminating || Date.now() > deadline) {
            break;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(left, [], "objects left in the API server after pulumi destroy");
}

/** Every object in the state is in the API server and holds every field Pulumi sent. */
export async function readBack(objects: StateObject[]): Promise<Map<string, KubeObject>> {
    const e = e2e();
    const live = new Map<string, KubeObject>();
    const problems: string[] = [];
    for (const o of objects) {
        const obj = await liveObject(e.cluster.client, o);
        if (!obj) {
            problems.push(`${describeObject(o)}: not in the API server`);
            continue;
        }
        live.set(describeObject(o), obj);
        const { metadata: _m, apiVersion: _a, kind: _k, ...sent } = o.inputs;
        problems.push(...notContained(sent, obj).map((p) => `${describeObject(o)}${p}`));
    }
    assert.deepEqual(problems, [], "objects in the API server differ from what Pulumi sent");
    return live;
}

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const BASE64 = /^[A-Za-z0-9+/=\s]{64,}$/;

/** True for a PEM private key, or one base64-encoded as in a Secret's data. */
export function holdsPrivateKey(s: string): boolean {
    return PEM_PRIVATE_KEY.test(s) || (BASE64.test(s) && PEM_PRIVATE_KEY.test(Buffer.from(s, "base64").toString("latin1")));
}

/** Where in a checkpoint (or any JSON) a private key is, by resource URN and property path. */
export function privateKeyPaths(state: unknown, path = "$"): string[] {
    if (typeof state === "string") {
        return holdsPrivateKey(state) ? [path] : [];
    }
    if (Array.isArray(state)) {
        return state.flatMap((v, i) => privateKeyPaths(v, `${path}[${i}]`));
    }
    if (typeof state === "object" && state !== null) {
        const urn = (state as { urn?: unknown }).urn;
        const at = typeof urn === "string" ? urn : path;
        return Object.entries(state).flatMap(([k, v]) => privateKeyPaths(v, `${at}.${k}`));
    }
    return [];
}

/** The raw checkpoint files of the project's file backend. */
export function checkpointFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile() && d.name.endsWith(".json"))
        .map((d) => path.join(d.parentPath, d.name));
}
