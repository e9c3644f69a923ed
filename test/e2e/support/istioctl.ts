import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { KubeObject } from "./kubeClient";

// `istioctl analyze --use-kube=false` over objects read back from the API server.

export interface AnalyzeResult {
    readonly exitCode: number;
    readonly output: string;
    /** Analyzer messages at Error level ("Error [IST0101] ..."), not the summary line. */
    readonly errors: string[];
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
        execFile("istioctl", ["analyze", "--use-kube=false", "--failure-threshold", "Error", file], { timeout: 300_000 }, (err, stdout, stderr) => {
            fs.rmSync(dir, { recursive: true, force: true });
            const output = `${stdout}${stderr}`;
            const exitCode = err ? (typeof err.code === "number" ? err.code : 1) : 0;
            resolve({ exitCode, output, errors: output.split("\n").filter((l) => /^Error \[IST\d+\]/.test(l)) });
        });
    });
}
