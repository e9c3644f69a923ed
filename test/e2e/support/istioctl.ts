import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { KubeObject } from "./kubeClient";

// `istioctl analyze --use-kube=false` over objects read back from the API server.

export interface AnalyzeResult {
    readonly exitCode: number;
    readonly output: string;
    /** Analyzer messages at Error level ("Error [IST0101] ..."), not the summary line. */
    readonly errors: string[];
    /** Analyzer messages at every level (Error, Warning, Info). */
    readonly messages: string[];
}

/**
 * The one analyzer message the package accepts (the simulation suite applies the same rule):
 * IST0129 (port level) or IST0128 (rule level) on a DestinationRule that originates TLS
 * - without a credentialName: Istio then verifies the server against the proxy's system roots,
 *   which the S4 simulation asserts;
 * - or with one, in a waypoint's namespace and without a workloadSelector: the analyzer takes a
 *   credentialName only beside a workloadSelector, which a waypoint ignores; the ambient
 *   simulation asserts the credential on the waypoint's cluster.
 */
export function acceptedAnalyzerMessage(line: string, objects: KubeObject[]): boolean {
    const m = /^Warning \[IST012[89]\] \(DestinationRule ([^/\s]+)\/([^\s]+)/.exec(line);
    if (!m) {
        return false;
    }
    const dr = objects.find((o) => o.kind === "DestinationRule" && o.metadata.namespace === m[1] && o.metadata.name === m[2]);
    if (dr === undefined) {
        return false;
    }
    const spec = dr.spec as { workloadSelector?: unknown };
    const waypointHere = objects.some(
        (o) =>
            o.kind === "Gateway" &&
            o.metadata.namespace === m[1] &&
            (o.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName === "istio-waypoint",
    );
    return !JSON.stringify(spec).includes("credentialName") || (waypointHere && spec.workloadSelector === undefined);
}

/** Drops what the server added (status, managed fields...), as if the objects were files. */
export function asManifest(o: KubeObject): KubeObject {
    const { status: _status, ...rest } = o;
    const { uid: _u, resourceVersion: _r, creationTimestamp: _c, ...metadata } = o.metadata;
    delete (metadata as Record<string, unknown>).managedFields;
    delete (metadata as Record<string, unknown>).generation;
    return { ...rest, metadata };
}

export function istioctlAnalyze(objects: KubeObject[]): Promise<AnalyzeResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "istio-egress-analyze-"));
    const file = path.join(dir, "objects.yaml");
    fs.writeFileSync(file, objects.map((o) => yaml.dump(asManifest(o))).join("---\n"));
    return new Promise((resolve) => {
        const args = [
            "analyze",
            "--use-kube=false",
            "--all-namespaces",
            "--output-threshold",
            "Info",
            "--failure-threshold",
            "Error",
            file,
        ];
        execFile("istioctl", args, { timeout: 300_000 }, (err, stdout, stderr) => {
            fs.rmSync(dir, { recursive: true, force: true });
            const output = `${stdout}${stderr}`;
            const exitCode = err ? (typeof err.code === "number" ? err.code : 1) : 0;
            const lines = output.split("\n");
            resolve({
                exitCode,
                output,
                errors: lines.filter((l) => /^Error \[IST\d+\]/.test(l)),
                messages: lines.filter((l) => /^(Error|Warning|Info) \[IST\d+\]/.test(l)),
            });
        });
    });
}
