import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./workload";

/** Sources the toolchain's env.sh into this process; returns why the real engine cannot run, if so. */
export function loadToolchain(): string | undefined {
    const dir = process.env.ISTIO_EGRESS_TOOLCHAIN ?? path.join(os.homedir(), ".cache/istio-egress-toolchain");
    const envFile = path.join(dir, "env.sh");
    if (!fs.existsSync(envFile)) {
        return `skipped: toolchain missing (${envFile} not found; build it with scripts/toolchain.sh)`;
    }
    try {
        const dump = execFileSync("bash", ["-c", 'set -a; . "$1" >/dev/null 2>&1; env -0', "bench", envFile], { encoding: "utf8" });
        for (const entry of dump.split("\0")) {
            const eq = entry.indexOf("=");
            if (eq > 0) {
                process.env[entry.slice(0, eq)] = entry.slice(eq + 1);
            }
        }
    } catch (e) {
        return `skipped: toolchain missing (sourcing ${envFile} failed: ${(e as Error).message.split("\n")[0]})`;
    }
    const missing = ["pulumi", "etcd", "kube-apiserver", "kube-controller-manager"].filter((bin) => {
        try {
            execFileSync("bash", ["-c", 'command -v "$1"', "bench", bin], { stdio: "ignore" });
            return false;
        } catch {
            return true;
        }
    });
    const pluginsDir = path.join(process.env.PULUMI_HOME ?? "", "plugins");
    if (!fs.existsSync(pluginsDir) || !fs.readdirSync(pluginsDir).some((d) => d.startsWith("resource-kubernetes-v"))) {
        missing.push("the kubernetes provider plugin");
    }
    if (!fs.existsSync(path.resolve(REPO_ROOT, "../shared/istio/crd-all.gen.yaml"))) {
        missing.push("../shared/istio/crd-all.gen.yaml");
    }
    return missing.length > 0 ? `skipped: toolchain missing (${missing.join(", ")}; run scripts/toolchain.sh)` : undefined;
}
