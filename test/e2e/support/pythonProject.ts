import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { projectEnv, REPO_ROOT, runPulumi, toolchainPulumi } from "./pulumiProject";

// A temporary copy of examples/python, run with the real CLI and the toolchain's Python language
// host: the example's program runs unchanged behind test/e2e/program/skip_await.py.

export const PYTHON_EXAMPLE = path.join(REPO_ROOT, "examples/python");
const SKIP_AWAIT_WRAPPER = path.join(REPO_ROOT, "test/e2e/program/skip_await.py");
/** What a checkout of the example must not carry along (made by `pulumi package add`/`install`). */
const GENERATED = new Set(["venv", "sdks", "__pycache__"]);

export interface PythonProject {
    readonly dir: string;
    readonly env: Record<string, string>;
    readonly pulumi: PulumiCommand;
    /** Runs the Pulumi CLI in the project; returns stdout. */
    cli(args: string[]): Promise<string>;
    /** A stack of the project, with this config (keys as in a Pulumi.<stack>.yaml). */
    stack(name: string, config: Record<string, string>): Promise<Stack>;
    cleanup(): void;
}

export async function createPythonProject(kubeconfigPath: string): Promise<PythonProject> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "istio-egress-python-"));
    for (const entry of fs.readdirSync(PYTHON_EXAMPLE)) {
        if (!GENERATED.has(entry) && !/^Pulumi\..+\.yaml$/.test(entry)) {
            fs.cpSync(path.join(PYTHON_EXAMPLE, entry), path.join(dir, entry === "__main__.py" ? "example.py" : entry), {
                recursive: true,
            });
        }
    }
    fs.copyFileSync(SKIP_AWAIT_WRAPPER, path.join(dir, "__main__.py"));
    const backendDir = path.join(dir, ".state");
    fs.mkdirSync(backendDir);
    const env = projectEnv(backendDir, kubeconfigPath);
    const pulumi = await toolchainPulumi();
    return {
        dir,
        env,
        pulumi,
        cli: (args) => runPulumi(pulumi, args, dir, env),
        async stack(name, config) {
            fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), yaml.dump({ config }));
            const ws = await LocalWorkspace.create({ workDir: dir, pulumiCommand: pulumi, envVars: env });
            return Stack.createOrSelect(name, ws);
        },
        cleanup() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
