import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

// Renders an example stack's Kubernetes objects as YAML files, for Argo CD or Flux to sync: the
// stack program runs with the real engine and the kubernetes provider's renderYamlToDirectory
// (nothing is sent to a cluster), from a throw-away project and state.

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface RenderOptions {
    /** Example stack name (`s06-gateway-mutual-origination`): `stacks/Pulumi.<stack>.yaml`. */
    readonly stack: string;
    /** Where the manifests go (`<dir>/1-manifest/*.yaml`); created, and must be empty. */
    readonly outDir: string;
    /**
     * Write Secrets (the SDS credentials: private keys in plain text) into outDir. Off, they are
     * left out and listed, for an external secret manager to provide under those names.
     */
    readonly includeSecrets: boolean;
    /** A local gateway chart directory instead of Istio's chart repository. */
    readonly gatewayChart?: string;
    /** The Pulumi CLI to run. */
    readonly pulumi: string;
    /** Extra environment (PULUMI_HOME and the like). */
    readonly env?: Record<string, string>;
}

export interface RenderResult {
    /** Manifest files written, relative to outDir. */
    readonly files: string[];
    /** `namespace/name` of each Secret left out (includeSecrets off). */
    readonly omittedSecrets: string[];
    /** `namespace/name` of each Secret written in plain text (includeSecrets on). */
    readonly writtenSecrets: string[];
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(cmd, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) {
                reject(new Error(`${path.basename(cmd)} ${args.join(" ")} failed: ${stderr || stdout || err.message}`));
            } else {
                resolve(stdout);
            }
        });
    });
}

/** The example stack's config, pointed at the render directory (and a local chart, if given). */
function renderConfig(stack: string, renderDir: string, gatewayChart?: string): Record<string, unknown> {
    const file = path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no example stack ${stack} (${file})`);
    }
    const config = { ...(yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config };
    const gateway = config["istio-egress:gateway"] as Record<string, unknown> | undefined;
    if (gateway && gatewayChart) {
        config["istio-egress:gateway"] = { ...gateway, chart: { chart: path.resolve(gatewayChart) } };
    }
    config["kubernetes:renderYamlToDirectory"] = renderDir;
    return config;
}

export async function renderStack(o: RenderOptions): Promise<RenderResult> {
    const outDir = path.resolve(o.outDir);
    if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0) {
        throw new Error(`${outDir} is not empty: render into a new directory`);
    }
    // Private scratch space (0700): the project, its state, and the provider's raw output,
    // which holds the Secrets until they are sorted out below.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "istio-egress-render-"));
    try {
        const rawDir = path.join(scratch, "raw");
        const project = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
        delete project.stackConfigDir;
        fs.writeFileSync(
            path.join(scratch, "Pulumi.yaml"),
            yaml.dump({ ...project, runtime: { name: "nodejs", options: { typescript: false } }, main: "index.js" }),
        );
        fs.writeFileSync(
            path.join(scratch, "index.js"),
            `module.exports = require(${JSON.stringify(path.join(REPO_ROOT, "bin/index.js"))});\n`,
        );
        fs.writeFileSync(
            path.join(scratch, "package.json"),
            JSON.stringify({ name: "istio-egress-render", private: true, main: "index.js" }),
        );
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(scratch, "node_modules"), "dir");
        fs.writeFileSync(
            path.join(scratch, `Pulumi.${o.stack}.yaml`),
            yaml.dump({ config: renderConfig(o.stack, rawDir, o.gatewayChart) }),
        );
        fs.mkdirSync(path.join(scratch, ".state"));
        const env = {
            ...o.env,
            PULUMI_BACKEND_URL: `file://${path.join(scratch, ".state")}`,
            PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
        };
        await run(o.pulumi, ["stack", "init", o.stack, "--non-interactive"], scratch, env);
        await run(o.pulumi, ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", o.stack], scratch, env);

        const manifests = path.join(rawDir, "1-manifest");
        const result: { files: string[]; omittedSecrets: string[]; writtenSecrets: string[] } = {
            files: [],
            omittedSecrets: [],
            writtenSecrets: [],
        };
        fs.mkdirSync(path.join(outDir, "1-manifest"), { recursive: true });
        for (const file of fs.readdirSync(manifests).sort()) {
            const text = fs.readFileSync(path.join(manifests, file), "utf8");
            const obj = yaml.load(text) as { kind?: string; metadata?: { name?: string; namespace?: string } };
            const id = `${obj.metadata?.namespace ?? "default"}/${obj.metadata?.name ?? ""}`;
            if (obj.kind === "Secret") {
                if (!o.includeSecrets) {
                    result.omittedSecrets.push(id);
                    continue;
                }
                result.writtenSecrets.push(id);
            }
            fs.writeFileSync(path.join(outDir, "1-manifest", file), text, { mode: obj.kind === "Secret" ? 0o600 : 0o644 });
            result.files.push(path.join("1-manifest", file));
        }
        return result;
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}
