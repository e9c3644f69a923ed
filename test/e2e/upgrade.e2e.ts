import { strict as assert } from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { makeTempDir, removeTempDir } from "./support/processes";
import {
    createProject,
    E2eProject,
    exampleStackConfig,
    REPO_ROOT,
    TEST_STACK_PROGRAM,
    toolchainPulumi,
    withLocalChart,
} from "./support/pulumiProject";
import { describeObject, StateObject, stateObjects } from "./support/stackObjects";
import { destroyAndCheck, e2e } from "./support/suite";

// Upgrades without churn: a stack deployed by the stack program as of an older revision, then
// updated to the current code (and the current example config, which grew since), replaces or
// deletes no Kubernetes object, re-issues no key or certificate (a new CA key would rotate every
// credential) and replaces no component. A child renamed or re-parented without an `aliases`
// entry for its old URN shows up here as a delete of the old URN (and a create of the new one):
// the engine would delete the live object the new URN has just written.
//
// The old revision is exported with `git archive` (nothing in the repository's working tree or
// index is touched), given the repository's node_modules when its lock file pins nothing the
// installed tree lacks, and built with its own tsconfig. The current code is a copy of the
// repository's bin/ taken when the suite starts (run `npm run build` first). One temp Pulumi
// project (file backend) runs the old compiled test program (index.ts + skipAwait) with the old
// stacks/ config, then the current program with the current config: preview, up, a clean preview.
// UPGRADE_STACKS=all (or a comma-separated list) widens the default representative set.

/** The baseline revision: the stack program users may have deployed before the refactors. */
const OLD_REVISION = "cb0cd7b";

/**
 * A gateway with certificates and MUTUAL origination (s06), the SNI proxy (s10), Kubernetes
 * services (s11), NetworkPolicies (s14) and registry-only outbound (s15).
 */
const REPRESENTATIVE_STACKS = [
    "s06-gateway-mutual-origination",
    "s10-sni-proxy",
    "s11-kubernetes-services",
    "s14-network-policies",
    "s15-registry-only",
];

/** Operations that replace a resource (each replacement is several steps on one URN). */
const REPLACING = new Set([
    "replace",
    "create-replacement",
    "delete-replaced",
    "discard-replaced",
    "import-replacement",
    "read-replacement",
]);
/** Operations that take a resource out of the cluster or out of the state (discard: left behind, unmanaged). */
const REMOVING = new Set(["delete", "discard", "delete-replaced", "discard-replaced"]);

interface Step {
    readonly op: string;
    readonly urn: string;
    /** The resource's own type token (the last segment of the URN's qualified type). */
    readonly type: string;
    /** What the provider says changed (replace keys for a replacement, else the diff's keys). */
    readonly reasons?: readonly string[];
}

function typeOfUrn(urn: string): string {
    // urn:pulumi:<stack>::<project>::<parent$...$type>::<name>
    const qualified = urn.split("::")[2] ?? "";
    return qualified.split("$").pop() ?? qualified;
}

/**
 * The steps that are churn: a Kubernetes object or a tls resource (key, CSR, certificate)
 * replaced, deleted or discarded, or a component or provider replaced.
 */
function churn(steps: readonly Step[]): Step[] {
    return steps.filter(({ op, type }) => {
        if (type.startsWith("kubernetes:") || type.startsWith("tls:")) {
            return REPLACING.has(op) || REMOVING.has(op);
        }
        if (type === "pulumi:pulumi:Stack") {
            return false;
        }
        // Components (istio-egress:index:*) and providers (pulumi:providers:*).
        return REPLACING.has(op);
    });
}

/** Number of steps per operation, in a stable order. */
function countOps(steps: readonly Step[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { op } of [...steps].sort((a, b) => a.op.localeCompare(b.op))) {
        counts[op] = (counts[op] ?? 0) + 1;
    }
    return counts;
}

const nameOfUrn = (urn: string): string => urn.split("::").slice(3).join("::");

/**
 * The assertion message: every offending URN with its operations, and what to do about it (an
 * `aliases` entry for a delete that a create of the same type stands beside; for a replacement,
 * the properties that force it).
 */
function churnMessage(stack: string, phase: string, steps: readonly Step[]): string {
    const offending = new Map<string, Step[]>();
    for (const s of churn(steps)) {
        offending.set(s.urn, [...(offending.get(s.urn) ?? []), s]);
    }
    const lines = [...offending].map(([urn, ss]) => {
        const ops = ss.map((s) => s.op).join(", ");
        let hint: string;
        if (ss.some((s) => REPLACING.has(s.op))) {
            const reasons = [...new Set(ss.flatMap((s) => s.reasons ?? []))];
            hint = `replaced${reasons.length > 0 ? ` because of ${reasons.join(", ")}` : ""} (an alias does not help: the diff forces it)`;
        } else {
            const type = ss[0]?.type;
            const creates = steps.filter((c) => c.op === "create" && c.type === type);
            const sameName = creates.filter((c) => nameOfUrn(c.urn) === nameOfUrn(urn));
            const candidates = sameName.length > 0 ? sameName : creates;
            hint =
                candidates.length > 0
                    ? `renamed or re-parented? give ${candidates.map((c) => c.urn).join(" or ")} aliases: [{ urn: <this URN> }]`
                    : "deleted, and nothing of its type is created in its place";
        }
        return `  ${ops.padEnd(18)} ${urn}\n      ${hint}`;
    });
    return `${stack}: the ${phase} with the current code churns ${offending.size} resource(s):\n${lines.join("\n")}`;
}

function formatCounts(counts: Record<string, number>): string {
    const order = ["same", "update", "create", "delete", "replace", "create-replacement", "delete-replaced"];
    const ops = Object.keys(counts).sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
    return ops.map((op) => `${op} ${counts[op]}`).join(", ") || "-";
}

interface JsonRun {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the Pulumi CLI in the project; resolves with the exit code (a --json run's stdout is needed even when it fails). */
async function pulumiRun(project: E2eProject, args: string[]): Promise<JsonRun> {
    const pulumi = await toolchainPulumi();
    return new Promise((resolve) => {
        execFile(
            pulumi.command,
            [...args, "--non-interactive"],
            { cwd: project.dir, env: { ...process.env, ...project.env }, maxBuffer: 512 * 1024 * 1024 },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
                resolve({ code, stdout, stderr });
            },
        );
    });
}

interface PreviewDigest {
    steps?: { op: string; urn: string; diffReasons?: string[]; replaceReasons?: string[]; detailedDiff?: Record<string, unknown> | null }[];
    diagnostics?: { message: string; severity: string }[];
    changeSummary?: Record<string, number>;
}

interface EngineEventLine {
    resourcePreEvent?: {
        metadata: {
            op: string;
            urn: string;
            type: string;
            keys?: string[];
            diffs?: string[];
            detailedDiff?: Record<string, unknown> | null;
        };
    };
    diagnosticEvent?: { message: string; severity: string };
}

interface Observed {
    readonly steps: Step[];
    /** The engine's own count per operation (a preview's steps leave out unchanged resources). */
    readonly counts: Record<string, number>;
}

const reasonsOf = (
    keys: string[] | undefined,
    diffs: string[] | undefined,
    detailed: Record<string, unknown> | null | undefined,
): string[] | undefined => [keys, diffs, detailed ? Object.keys(detailed) : undefined].find((r) => r !== undefined && r.length > 0);

function failure(what: string, run: JsonRun, errors: string[]): Error {
    return new Error(`${what} failed (exit ${run.code}):\n${errors.join("\n").slice(-6000)}\n${run.stderr.slice(-3000)}`);
}

/** `pulumi preview --json`: the digest's steps and change summary. */
async function preview(project: E2eProject, stack: string, extra: string[] = []): Promise<Observed> {
    const run = await pulumiRun(project, ["preview", "--json", "--stack", stack, ...extra]);
    let digest: PreviewDigest;
    try {
        digest = JSON.parse(run.stdout) as PreviewDigest;
    } catch {
        throw failure(`pulumi preview --json of ${stack}`, run, [run.stdout.slice(-4000)]);
    }
    const errors = (digest.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => d.message);
    if (run.code !== 0 || errors.length > 0) {
        throw failure(`pulumi preview --json of ${stack}`, run, errors);
    }
    const steps = (digest.steps ?? []).map((s) => ({
        op: s.op,
        urn: s.urn,
        type: typeOfUrn(s.urn),
        reasons: reasonsOf(s.replaceReasons, s.diffReasons, s.detailedDiff),
    }));
    return { steps, counts: digest.changeSummary ?? countOps(steps) };
}

/** `pulumi up --json --skip-preview`: one step per resourcePreEvent of the engine's event stream. */
async function up(project: E2eProject, stack: string): Promise<Observed> {
    const run = await pulumiRun(project, ["up", "--yes", "--skip-preview", "--json", "--stack", stack]);
    const events = run.stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as EngineEventLine);
    const errors = events.flatMap((e) => (e.diagnosticEvent?.severity === "error" ? [e.diagnosticEvent.message] : []));
    if (run.code !== 0 || errors.length > 0) {
        throw failure(`pulumi up --json of ${stack}`, run, errors);
    }
    const steps = events.flatMap((e) => {
        const m = e.resourcePreEvent?.metadata;
        return m ? [{ op: m.op, urn: m.urn, type: m.type, reasons: reasonsOf(m.keys, m.diffs, m.detailedDiff) }] : [];
    });
    return { steps, counts: countOps(steps) };
}

function run(cmd: string, args: string[], cwd: string): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) {
                reject(new Error(`${cmd} ${args.join(" ")} (in ${cwd}): ${err.message}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
            } else {
                resolve(stdout);
            }
        });
    });
}

type LockPackages = Record<string, { version?: string; integrity?: string }>;

/** Packages the old lock file pins that the installed tree does not hold at the same version. */
function missingFromInstalledTree(oldLock: string): string[] {
    const installedLock = [path.join(REPO_ROOT, "node_modules/.package-lock.json"), path.join(REPO_ROOT, "package-lock.json")].find((f) =>
        fs.existsSync(f),
    ) as string;
    const installed = (JSON.parse(fs.readFileSync(installedLock, "utf8")) as { packages: LockPackages }).packages;
    const wanted = (JSON.parse(fs.readFileSync(oldLock, "utf8")) as { packages: LockPackages }).packages;
    return Object.entries(wanted)
        .filter(([p]) => p.startsWith("node_modules/"))
        .filter(([p, w]) => installed[p]?.version !== w.version || (w.integrity !== undefined && installed[p]?.integrity !== w.integrity))
        .map(([p, w]) => `${p}@${w.version}`);
}

/** The config map of the old revision's stacks/Pulumi.<stack>.yaml. */
function oldStackConfig(oldDir: string, stack: string): Record<string, unknown> {
    const doc = yaml.load(fs.readFileSync(path.join(oldDir, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
    };
    return doc.config ?? {};
}

function existedAtBaseline(stack: string): boolean {
    try {
        execFileSync("git", ["cat-file", "-e", `${OLD_REVISION}:stacks/Pulumi.${stack}.yaml`], { cwd: REPO_ROOT, stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

function selectedStacks(): string[] {
    const all = fs
        .readdirSync(path.join(REPO_ROOT, "stacks"))
        .map((f) => /^Pulumi\.(s\d\d-[a-z0-9-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
    const wanted = process.env.UPGRADE_STACKS;
    if (wanted === "all") {
        // Stacks added since the baseline have nothing to upgrade from.
        return all.filter((s) => existedAtBaseline(s));
    }
    const list = wanted
        ? wanted
              .split(",")
              .map((s) => s.trim())
              .filter((s) => s !== "")
        : REPRESENTATIVE_STACKS;
    const unknown = list.filter((s) => !all.includes(s));
    if (unknown.length > 0) {
        throw new Error(`UPGRADE_STACKS names no example stack: ${unknown.join(", ")} (known: ${all.join(", ")})`);
    }
    return list;
}

interface Figures {
    oldUp?: Record<string, number>;
    preview?: Record<string, number>;
    up?: Record<string, number>;
    churn?: string[];
}

/** One changed step, for the log: `update  kubernetes:...:Kind::name [reasons]`. */
function describeStep(s: Step): string {
    const reasons = s.reasons?.length ? ` [${s.reasons.join(", ")}]` : "";
    return `${s.op.padEnd(8)} ${s.type}::${nameOfUrn(s.urn)}${reasons.length > 100 ? `${reasons.slice(0, 97)}...]` : reasons}`;
}

describe(`e2e: upgrading a deployed stack from ${OLD_REVISION} to the current code replaces or deletes no Kubernetes object`, function () {
    this.timeout(20 * 60_000);
    const stacks = selectedStacks();
    const figures = new Map<string, Figures>();
    let scratch: string | undefined;
    let oldProgram = "";
    let currentProgram = "";
    let project: E2eProject | undefined;

    /** Points the project's program (createProject's index.js) at a compiled test program. */
    const useProgram = (programJs: string) => {
        assert.ok(project, "the project was not created");
        assert.ok(fs.existsSync(programJs), `${programJs} does not exist`);
        fs.writeFileSync(path.join(project.dir, "index.js"), `module.exports = require(${JSON.stringify(programJs)});\n`);
    };

    /**
     * Gives the project the provider settings (`config:` of Pulumi.yaml) of a revision: the old
     * stack was deployed with its own, and the upgrade brings the current ones along.
     */
    const useProjectConfig = (pulumiYaml: string) => {
        assert.ok(project, "the project was not created");
        const file = path.join(project.dir, "Pulumi.yaml");
        const current = yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
        const revision = yaml.load(fs.readFileSync(pulumiYaml, "utf8")) as { config?: unknown };
        fs.writeFileSync(file, yaml.dump({ ...current, config: revision.config ?? {} }));
    };

    before(async function () {
        this.timeout(10 * 60_000);
        scratch = await makeTempDir(`upgrade-${OLD_REVISION}`);

        // The old revision: exported from git (the working tree and index are not touched), with
        // the repository's node_modules if its lock pins nothing else, built with its own tsconfig.
        const oldDir = path.join(scratch, OLD_REVISION);
        fs.mkdirSync(oldDir);
        const tar = path.join(scratch, "source.tar");
        await run("git", ["-C", REPO_ROOT, "archive", "--format=tar", "-o", tar, OLD_REVISION], REPO_ROOT);
        await run("tar", ["-xf", tar, "-C", oldDir], oldDir);
        const missing = missingFromInstalledTree(path.join(oldDir, "package-lock.json"));
        if (missing.length === 0) {
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(oldDir, "node_modules"), "dir");
        } else {
            console.log(
                `      ${OLD_REVISION} pins packages the installed tree lacks (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}): npm ci`,
            );
            await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], oldDir);
        }
        await run(path.join(oldDir, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], oldDir);
        oldProgram = path.join(oldDir, "bin/test/e2e/program/testStack.js");
        assert.ok(fs.existsSync(oldProgram), `the ${OLD_REVISION} build has no ${oldProgram}`);

        // The current code: a copy of the repository's build taken now, so that a rebuild of the
        // working tree while the test runs cannot hand one stack a half-written bin/.
        const currentDir = path.join(scratch, "current");
        fs.cpSync(path.join(REPO_ROOT, "bin"), path.join(currentDir, "bin"), { recursive: true });
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(currentDir, "node_modules"), "dir");
        currentProgram = path.join(currentDir, path.relative(REPO_ROOT, TEST_STACK_PROGRAM));
        assert.ok(fs.existsSync(currentProgram), `no ${TEST_STACK_PROGRAM}: run npm run build first`);
        await run(process.execPath, ["-e", `require(${JSON.stringify(path.join(currentDir, "bin/api.js"))})`], currentDir).catch(
            (e: Error) => assert.fail(`the current build does not load (a rebuild half-way?): ${e.message}`),
        );

        project = await createProject(e2e().cluster.kubeconfigPath, { programJs: oldProgram, label: "upgrade" });
    });

    after(async () => {
        project?.cleanup();
        if (scratch !== undefined) {
            await removeTempDir(scratch);
        }
        if (figures.size > 0) {
            const rows = [...figures].map(([stack, f]) => [
                stack,
                f.oldUp ? formatCounts(f.oldUp) : "-",
                f.preview ? formatCounts(f.preview) : "-",
                f.up ? formatCounts(f.up) : "-",
                f.churn ? (f.churn.length === 0 ? "none" : f.churn.join("; ")) : "-",
            ]);
            const head = ["stack", `up (${OLD_REVISION})`, "preview (current)", "up (current)", "churn (preview)"];
            const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
            const line = (r: string[]) => `      ${r.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")}`.trimEnd();
            console.log(
                `\n      Upgrade ${OLD_REVISION} -> current code, operations per kind (preview: the engine's change summary; up: its steps)`,
            );
            console.log([line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n"));
        }
    });

    it("the churn check flags replaced, deleted or discarded objects and keys and replaced components, and nothing else (negative control)", () => {
        const urn = (qualified: string, name: string) => `urn:pulumi:s::istio-egress::istio-egress:index:Egress$${qualified}::${name}`;
        const steps: Step[] = [
            ["same", "istio-egress:index:EgressGateway", "egress-gateway"],
            [
                "update",
                "istio-egress:index:EgressDestinations$kubernetes:networking.istio.io/v1:Gateway",
                "egress-destinations-istio-egressgateway",
            ],
            [
                "create",
                "istio-egress:index:EgressDestinations$kubernetes:security.istio.io/v1:AuthorizationPolicy",
                "egress-destinations-nginx",
            ],
            ["delete", "istio-egress:index:EgressDestinations", "egress-destinations-old"],
            [
                "create-replacement",
                "istio-egress:index:EgressDestinations$kubernetes:networking.istio.io/v1:DestinationRule",
                "egress-destinations-nginx",
            ],
            [
                "replace",
                "istio-egress:index:EgressDestinations$kubernetes:networking.istio.io/v1:DestinationRule",
                "egress-destinations-nginx",
            ],
            [
                "delete-replaced",
                "istio-egress:index:EgressDestinations$kubernetes:networking.istio.io/v1:DestinationRule",
                "egress-destinations-nginx",
            ],
            ["create", "istio-egress:index:SniProxy$kubernetes:apps/v1:Deployment", "egress-sni-proxy"],
            ["delete", "istio-egress:index:EgressGateway$kubernetes:apps/v1:Deployment", "egress-sni-proxy"],
            ["discard", "istio-egress:index:EgressNetworkPolicies$kubernetes:networking.k8s.io/v1:NetworkPolicy", "egress-netpol"],
            ["replace", "istio-egress:index:CertificateAuthority$tls:index/privateKey:PrivateKey", "egress-pki-ca-ca-key"],
            ["replace", "istio-egress:index:SdsCredential", "egress-pki-credential-client-credential"],
        ].map(([op, qualified, name]) => {
            const u = urn(qualified as string, name as string);
            return { op: op as string, urn: u, type: typeOfUrn(u), reasons: op === "replace" ? ["spec.host"] : undefined };
        });
        assert.deepEqual(
            churn(steps).map((s) => `${s.op} ${s.type}`),
            [
                "create-replacement kubernetes:networking.istio.io/v1:DestinationRule",
                "replace kubernetes:networking.istio.io/v1:DestinationRule",
                "delete-replaced kubernetes:networking.istio.io/v1:DestinationRule",
                "delete kubernetes:apps/v1:Deployment",
                "discard kubernetes:networking.k8s.io/v1:NetworkPolicy",
                "replace tls:index/privateKey:PrivateKey",
                "replace istio-egress:index:SdsCredential",
            ],
        );
        assert.deepEqual(countOps(steps), {
            create: 2,
            "create-replacement": 1,
            delete: 2,
            "delete-replaced": 1,
            discard: 1,
            replace: 3,
            same: 1,
            update: 1,
        });
        const message = churnMessage("s", "preview", steps);
        assert.match(message, /churns 5 resource/);
        // A re-parented child: the delete of its old URN, with the create to give the alias to.
        assert.match(
            message,
            /delete\s+urn:\S+EgressGateway\$kubernetes:apps\/v1:Deployment::egress-sni-proxy\n\s+renamed or re-parented\? give urn:\S+SniProxy\$kubernetes:apps\/v1:Deployment::egress-sni-proxy aliases/,
        );
        assert.match(
            message,
            /create-replacement, replace, delete-replaced\s+urn:\S+DestinationRule::egress-destinations-nginx\n\s+replaced because of spec\.host/,
        );
    });

    for (const name of stacks) {
        describe(name, () => {
            let stack: Stack | undefined;
            let destroyed = false;
            let oldCaCertificate: unknown;
            const objects = new Map<string, StateObject>();
            const f: Figures = {};
            figures.set(name, f);

            /** Every Kubernetes object the stack has held, for the check after destroy. */
            const remember = async () => {
                assert.ok(stack);
                for (const o of await stateObjects(stack)) {
                    objects.set(describeObject(o), o);
                }
            };

            // Leave the API server clean for the next stack even when a step above failed.
            after(async () => {
                if (stack && !destroyed) {
                    await stack.destroy({});
                }
            });

            it(`pulumi up with the ${OLD_REVISION} program and its config creates the stack`, async () => {
                assert.ok(project && scratch, "the before hook failed");
                useProgram(oldProgram);
                useProjectConfig(path.join(scratch, OLD_REVISION, "Pulumi.yaml"));
                stack = await project.stack(name, withLocalChart(oldStackConfig(path.join(scratch, OLD_REVISION), name)));
                const r = await up(project, name);
                f.oldUp = r.counts;
                assert.ok(
                    r.steps.some((s) => s.op === "create" && s.type.startsWith("kubernetes:")),
                    `the ${OLD_REVISION} program created no Kubernetes object`,
                );
                oldCaCertificate = (await stack.outputs()).caCertificatePem?.value;
                await remember();
            });

            it("pulumi preview with the current program and config replaces or deletes no Kubernetes object, key, certificate or component", async () => {
                assert.ok(project && stack, "the old revision's up did not run");
                useProgram(currentProgram);
                useProjectConfig(path.join(REPO_ROOT, "Pulumi.yaml"));
                await project.setConfig(stack, withLocalChart(exampleStackConfig(name)));
                const r = await preview(project, name);
                f.preview = r.counts;
                f.churn = [...new Set(churn(r.steps).map((s) => `${s.op} ${s.type}::${nameOfUrn(s.urn)}`))];
                for (const s of r.steps.filter((x) => x.op !== "same")) {
                    console.log(`        ${describeStep(s)}`);
                }
                assert.deepEqual(
                    churn(r.steps).map((s) => `${s.op} ${s.urn}`),
                    [],
                    churnMessage(name, "preview", r.steps),
                );
            });

            it("pulumi up with the current program does the same, and a preview after it is clean", async () => {
                assert.ok(project && stack && f.preview, "the preview did not run");
                useProgram(currentProgram);
                const r = await up(project, name).finally(remember);
                f.up = r.counts;
                assert.deepEqual(
                    churn(r.steps).map((s) => `${s.op} ${s.urn}`),
                    [],
                    churnMessage(name, "up", r.steps),
                );
                // The CA the old code issued is still the one every credential chains to.
                assert.equal(
                    (await stack.outputs()).caCertificatePem?.value,
                    oldCaCertificate,
                    "the CA certificate changed in the upgrade",
                );
                const again = (await preview(project, name)).steps.filter((s) => s.op !== "same");
                assert.deepEqual(
                    again.map((s) => `${s.op} ${s.urn}`),
                    [],
                    "a preview after the upgrade wants changes",
                );
            });

            if (name === "s06-gateway-mutual-origination") {
                it("a real preview forced to re-issue the CA key (--replace) fails the check, naming the key and the certificates (negative control)", async () => {
                    assert.ok(project && stack && f.up, "the upgrade did not run");
                    const state = (await stack.exportStack()).deployment as { resources?: { urn: string; type: string }[] };
                    const caKey = (state.resources ?? []).find(
                        (r) => r.type === "tls:index/privateKey:PrivateKey" && r.urn.includes("CertificateAuthority"),
                    );
                    assert.ok(caKey, "no CA private key in the state");
                    const r = await preview(project, name, ["--replace", caKey.urn]);
                    const offending = churn(r.steps);
                    console.log(churnMessage(name, "forced preview", r.steps).replace(/^/gm, "        "));
                    assert.ok(
                        offending.some((s) => s.urn === caKey.urn && s.op === "replace"),
                        churnMessage(name, "forced preview", r.steps),
                    );
                    assert.ok(
                        offending.some((s) => s.type === "tls:index/selfSignedCert:SelfSignedCert"),
                        churnMessage(name, "forced preview", r.steps),
                    );
                });
            }

            it("pulumi destroy leaves none of the old or upgraded stack's objects in the API server", async () => {
                assert.ok(stack, "no stack to destroy");
                destroyed = true;
                await destroyAndCheck(stack, [...objects.values()]);
            });
        });
    }
});
