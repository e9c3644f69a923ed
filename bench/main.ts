// npm run bench [-- --quick] [--no-real] [--repeats K] [--real-repeats K] [--real-budget-min M] [--out-dir DIR]
//                [--report-only out/bench/results.json]   (re-render the report from raw samples, no measuring)
//
// Benchmarks the package against the hand-written baseline: program evaluation under mocks
// (fresh process per run), the real engine against the e2e test cluster (when the toolchain is
// there), footprint and growth. Prints a table, writes BENCHMARKS.md and docs/benchmarks.svg
// (--quick: out/bench/), and the raw samples to out/bench/results.json.
// A benchmark, not a test: whatever the figures, it exits 0; only a program that fails exits 1.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { MockResult, Variant } from "./mockRun";
import { ProfileSummary } from "./profile";
import { runRealEngine } from "./realEngine";
import { BenchData, consoleReport, MachineFacts, markdown, profileTable, svg, TimedMock } from "./report";
import { REPO_ROOT } from "./workload";

interface Options {
    quick: boolean;
    real: boolean;
    mockNs: number[];
    repeats: number;
    realNs: number[];
    realRepeats: number;
    try1000: boolean;
    budgetMin: number;
    outDir?: string;
    reportOnly?: string;
}

function parseOptions(argv: string[]): Options {
    const has = (f: string) => argv.includes(f);
    const num = (f: string, d: number) => {
        const i = argv.indexOf(f);
        if (i < 0) {
            return d;
        }
        const v = Number(argv[i + 1]);
        if (!Number.isFinite(v) || v < 0) {
            throw new Error(`${f} needs a number`);
        }
        return v;
    };
    const withValue = ["--repeats", "--real-repeats", "--real-budget-min", "--out-dir", "--report-only"];
    const known = new Set(["--quick", "--no-real", ...withValue]);
    argv.forEach((a, i) => {
        if (a.startsWith("--") && !known.has(a)) {
            throw new Error(`unknown option ${a} (known: ${[...known].join(", ")})`);
        }
        if (!a.startsWith("--") && !(i > 0 && withValue.includes(argv[i - 1]))) {
            throw new Error(`unexpected argument ${a}`);
        }
    });
    const quick = has("--quick");
    const value = (f: string) => (argv.indexOf(f) >= 0 ? argv[argv.indexOf(f) + 1] : undefined);
    return {
        quick,
        real: !has("--no-real"),
        mockNs: quick ? [1, 10, 100] : [1, 10, 100, 1000],
        repeats: Math.max(1, Math.round(num("--repeats", quick ? 2 : 5))),
        realNs: [10, 100],
        realRepeats: Math.max(1, Math.round(num("--real-repeats", quick ? 1 : 3))),
        try1000: !quick,
        budgetMin: num("--real-budget-min", 80),
        outDir: value("--out-dir"),
        reportOnly: value("--report-only"),
    };
}

const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// ---- mock runs -----------------------------------------------------------------------------

const MOCK_RUN = path.join(__dirname, "mockRun.js");
const CHILD_TIMEOUT_MS = 15 * 60_000;

async function runChild(variant: Variant, n: number, extra: string[] = []): Promise<{ result: MockResult; procMs: number }> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--expose-gc", MOCK_RUN, "--variant", variant, "--n", String(n), ...extra], {
            cwd: REPO_ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "",
            err = "";
        child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
        });
        child.stderr.on("data", (d: Buffer) => {
            err = (err + d.toString()).slice(-4000);
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
        child.on("error", reject);
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const procMs = performance.now() - t0;
            const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
            if (code !== 0 || !line) {
                reject(
                    new Error(`mock run ${variant} N=${n} ${extra.join(" ")} failed (exit ${code ?? signal}): ${err.trim().slice(-1500)}`),
                );
                return;
            }
            resolve({ result: JSON.parse(line.slice("BENCH_RESULT ".length)) as MockResult, procMs });
        });
    });
}

// ---- environment ---------------------------------------------------------------------------

/** Sources the toolchain's env.sh into this process; returns why the real engine cannot run, if so. */
function loadToolchain(): string | undefined {
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

function sh(cmd: string, args: string[]): string {
    try {
        return execFileSync(cmd, args, { encoding: "utf8", cwd: REPO_ROOT, stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return "?";
    }
}

function machineFacts(): MachineFacts {
    const dirty = sh("git", ["status", "--porcelain", "--untracked-files=no"]);
    return {
        nproc: sh("nproc", []),
        cpuModel: os.cpus()[0]?.model ?? "?",
        memGiB: os.totalmem() / 1024 ** 3,
        node: process.version,
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        loadStart: os.loadavg(),
        loadEnd: [],
        commit: `${sh("git", ["rev-parse", "--short", "HEAD"])}${dirty && dirty !== "?" ? " (with uncommitted changes)" : ""}`,
    };
}

// ---- main ----------------------------------------------------------------------------------

async function main(): Promise<number> {
    const opts = parseOptions(process.argv.slice(2));
    if (opts.reportOnly) {
        writeReport(
            JSON.parse(fs.readFileSync(path.resolve(opts.reportOnly), "utf8")) as BenchData,
            opts.outDir,
            sh("git", ["rev-parse", "--short", "HEAD"]),
        );
        return 0;
    }
    const started = performance.now();
    const machine = machineFacts();
    log(
        `${opts.quick ? "quick" : "full"} run: mocks N = ${opts.mockNs.join(", ")} ×${opts.repeats}; real engine ${opts.real ? `N = ${opts.realNs.join(", ")} ×${opts.realRepeats}${opts.try1000 ? `, 1000 ×1 if it fits ${opts.budgetMin} min` : ""}` : "off (--no-real)"}`,
    );
    log(
        `machine: nproc ${machine.nproc}, ${machine.memGiB.toFixed(1)} GiB, node ${machine.node}, load ${machine.loadStart.map((l) => l.toFixed(2)).join(" ")}`,
    );

    // 1. Timed mock runs: repeats outermost, so drift spreads over every N; sides alternate.
    const mock: TimedMock[] = [];
    const mockErrors: string[] = [];
    for (let rep = 0; rep < opts.repeats; rep++) {
        for (const n of opts.mockNs) {
            const order: Variant[] = (rep + n) % 2 === 0 ? ["package", "baseline"] : ["baseline", "package"];
            for (const variant of order) {
                try {
                    const { result, procMs } = await runChild(variant, n);
                    mock.push({ ...result, rep, procMs });
                    log(
                        `mocks N=${n} ${variant} #${rep + 1}: eval ${Math.round(result.evalMs)} ms, peak RSS ${Math.round(result.peakRssMb)} MB, ${result.resources} resources`,
                    );
                } catch (e) {
                    mockErrors.push((e as Error).message);
                    log(`ERROR ${(e as Error).message}`);
                }
            }
        }
    }

    // 2. Footprint and profile: one extra run each (their timings are not used).
    const footprints: MockResult[] = [];
    for (const n of opts.mockNs) {
        for (const variant of ["package", "baseline"] as Variant[]) {
            try {
                footprints.push((await runChild(variant, n, ["--footprint"])).result);
            } catch (e) {
                mockErrors.push((e as Error).message);
                log(`ERROR ${(e as Error).message}`);
            }
        }
    }
    log("footprint: done");
    const profiles: BenchData["profiles"] = [];
    const nMax = Math.max(...opts.mockNs);
    const profDir = fs.mkdtempSync(path.join(os.tmpdir(), "istio-egress-bench-prof-"));
    try {
        for (const variant of ["package", "baseline"] as Variant[]) {
            const file = path.join(profDir, `${variant}.json`);
            try {
                await runChild(variant, nMax, ["--profile", file]);
                profiles.push({ variant, n: nMax, summary: JSON.parse(fs.readFileSync(file, "utf8")) as ProfileSummary });
            } catch (e) {
                log(`profile ${variant}: ${(e as Error).message.split("\n")[0]} (left out)`);
            }
        }
    } finally {
        fs.rmSync(profDir, { recursive: true, force: true });
    }
    log("profile: done");

    // 3. Real engine.
    let real: BenchData["real"];
    let realSkipped: string | undefined;
    if (!opts.real) {
        realSkipped = "skipped: --no-real";
    } else {
        realSkipped = loadToolchain();
    }
    if (realSkipped) {
        log(`real engine: ${realSkipped}`);
    } else {
        real = await runRealEngine({
            ns: opts.realNs,
            repeats: opts.realRepeats,
            try1000: opts.try1000,
            budgetMs: opts.budgetMin * 60_000,
            log,
        });
        real.notes.forEach((n) => log(n));
    }

    // 4. Report.
    const data: BenchData = {
        machine: { ...machine, loadEnd: os.loadavg() },
        quick: opts.quick,
        mockNs: opts.mockNs,
        mockRepeats: opts.repeats,
        realNs: opts.realNs,
        realRepeats: opts.realRepeats,
        mock,
        mockErrors,
        footprints,
        profiles,
        real,
        realSkipped,
        durationS: (performance.now() - started) / 1000,
    };
    const rawDir = path.join(REPO_ROOT, "out/bench");
    fs.mkdirSync(rawDir, { recursive: true });
    fs.writeFileSync(path.join(rawDir, "results.json"), JSON.stringify(data, null, 1));
    writeReport(data, opts.outDir);
    log("raw samples: out/bench/results.json (re-render with --report-only out/bench/results.json)");
    if (mockErrors.length > 0) {
        log(`${mockErrors.length} mock run(s) failed: a program error, not slowness (see above)`);
        return 1;
    }
    return 0;
}

/** Prints the tables and writes BENCHMARKS.md and the chart (quick runs and --out-dir: elsewhere). */
function writeReport(data: BenchData, outDirOpt: string | undefined, renderedAt?: string): void {
    const outDir = path.resolve(REPO_ROOT, outDirOpt ?? (data.quick ? "out/bench" : "."));
    const mdPath = path.join(outDir, "BENCHMARKS.md");
    const svgPath = outDirOpt || data.quick ? path.join(outDir, "benchmarks.svg") : path.join(REPO_ROOT, "docs/benchmarks.svg");
    fs.mkdirSync(path.dirname(svgPath), { recursive: true });
    fs.writeFileSync(svgPath, svg(data));
    fs.writeFileSync(mdPath, markdown(data, path.relative(path.dirname(mdPath), svgPath), renderedAt));
    process.stdout.write(consoleReport(data));
    process.stdout.write(`${profileTable(data)}\n\n`);
    log(
        `wrote ${path.relative(REPO_ROOT, mdPath)}, ${path.relative(REPO_ROOT, svgPath)} (${Math.round(data.durationS / 60)} min of measuring)`,
    );
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    },
);
