// npm run bench [-- --quick] [--no-real] [--out-dir DIR] [--report-only out/bench/results.json]
//
// One run, one commit, every figure: the package against the hand-written baseline and against
// the floor (the same objects server-side applied straight to the API server), with the real
// engine under the recommended and the default settings, the engine's levers, the sidecar
// configuration footprint from Istio's config generator, and program evaluation under mocks.
// Writes BENCHMARKS.md, docs/benchmarks.svg (--quick: out/bench/) and the raw samples
// (out/bench/results.json, which --report-only re-renders). A benchmark, not a test: whatever
// the figures, it exits 0; only a program that fails exits 1.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { floorMs } from "./floor";
import { MockResult, Variant } from "./mockRun";
import { registered } from "./programs";
import {
    describeSample,
    ENGINE_DEFAULTS,
    EngineSettings,
    PROVIDER_CLIENT_DEFAULTS,
    RECOMMENDED,
    RealSample,
    sample,
    stopAll,
} from "./realEngine";
import { BenchData, chartSvg, FloorSample, MachineFacts, markdown, TimedMock } from "./report";
import { measureFootprints } from "./sidecars";
import { loadToolchain } from "./toolchain";
import { benchStackConfig, REPO_ROOT } from "./workload";

interface Options {
    readonly quick: boolean;
    readonly real: boolean;
    readonly outDir?: string;
    readonly reportOnly?: string;
}

function parseOptions(argv: string[]): Options {
    const withValue = ["--out-dir", "--report-only"];
    const known = ["--quick", "--no-real", ...withValue];
    argv.forEach((a, i) => {
        if (!known.includes(a) && !withValue.includes(argv[i - 1] ?? "")) {
            throw new Error(`unexpected argument ${a} (known: ${known.join(", ")})`);
        }
    });
    const value = (f: string) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
    return {
        quick: argv.includes("--quick"),
        real: !argv.includes("--no-real"),
        outDir: value("--out-dir"),
        reportOnly: value("--report-only"),
    };
}

/** What a run measures. */
interface Plan {
    readonly ns: number[];
    readonly mockRepeats: number;
    readonly real: { variant: Variant; n: number; settings: EngineSettings; repeats: number; capMin?: number }[];
}

const withParallel = (p: number): EngineSettings => ({ label: `${RECOMMENDED.label}, --parallel ${p}`, env: RECOMMENDED.env, parallel: p });
const PARALLEL_DIFF: EngineSettings = {
    label: `${RECOMMENDED.label}, PULUMI_PARALLEL_DIFF=true`,
    env: { ...RECOMMENDED.env, PULUMI_PARALLEL_DIFF: "true" },
};

function plan(quick: boolean): Plan {
    const ns = quick ? [10, 100] : [10, 100, 1000];
    const both = (n: number, settings: EngineSettings, repeats: number, capMin?: number) =>
        (["package", "baseline"] as Variant[]).map((variant) => ({ variant, n, settings, repeats, capMin }));
    const top = ns[ns.length - 1] as number;
    return {
        ns,
        mockRepeats: quick ? 1 : 3,
        real: [
            ...both(10, RECOMMENDED, quick ? 1 : 3),
            ...both(100, RECOMMENDED, quick ? 1 : 3),
            ...(quick ? [] : both(1000, RECOMMENDED, 1)),
            // The levers, on the package at the largest N; the CLI's defaults also at N = 100, both sides.
            ...both(100, ENGINE_DEFAULTS, 1),
            { variant: "package", n: top, settings: PROVIDER_CLIENT_DEFAULTS, repeats: 1 },
            { variant: "package", n: top, settings: withParallel(16), repeats: 1 },
            { variant: "package", n: top, settings: PARALLEL_DIFF, repeats: 1 },
            ...(quick ? [] : [{ variant: "package" as Variant, n: 1000, settings: ENGINE_DEFAULTS, repeats: 1, capMin: 15 }]),
        ],
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
        writeReport(JSON.parse(fs.readFileSync(path.resolve(opts.reportOnly), "utf8")) as BenchData, opts.outDir);
        return 0;
    }
    const started = performance.now();
    const machine = machineFacts();
    const p = plan(opts.quick);
    const errors: string[] = [];
    const attempt = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
        try {
            return await f();
        } catch (e) {
            errors.push(`${what}: ${(e as Error).message.split("\n")[0]}`);
            log(`ERROR ${what}: ${(e as Error).message}`);
            return undefined;
        }
    };
    log(
        `${opts.quick ? "quick" : "full"} run at ${machine.commit}: N = ${p.ns.join(", ")}; nproc ${machine.nproc}, load ${machine.loadStart.map((l) => l.toFixed(2)).join(" ")}`,
    );

    // 1. Program evaluation under mocks, sides alternating; one extra run per N and side counts the objects.
    const mock: TimedMock[] = [];
    for (let rep = 0; rep < p.mockRepeats; rep++) {
        for (const n of p.ns) {
            for (const variant of (rep + n) % 2 === 0 ? (["package", "baseline"] as Variant[]) : (["baseline", "package"] as Variant[])) {
                const r = await attempt(`mocks ${variant} N=${n}`, () => runChild(variant, n));
                if (r) {
                    mock.push({ ...r.result, rep, procMs: r.procMs });
                    log(`mocks ${variant} N=${n}: eval ${Math.round(r.result.evalMs)} ms, ${r.result.resources} resources`);
                }
            }
        }
    }
    const objects: MockResult[] = [];
    for (const n of p.ns) {
        for (const variant of ["package", "baseline"] as Variant[]) {
            const r = await attempt(`objects ${variant} N=${n}`, () => runChild(variant, n, ["--footprint"]));
            if (r) {
                objects.push(r.result);
            }
        }
    }

    // 2. Sidecar footprint (Istio's config generator).
    const sidecars = (await attempt("sidecar footprint", () => measureFootprints(p.ns))) ?? [];
    sidecars.forEach((r) =>
        log(`footprint ${r.case} ${r.proxy}: ${r.clusters} clusters, ${r.listeners} listeners, ${r.routes} routes, ${r.totalBytes} bytes`),
    );

    // 3. The floor and 4. the real engine need the toolchain.
    const toolchainMissing = opts.real ? loadToolchain() : "skipped: --no-real";
    const floor: FloorSample[] = [];
    const real: RealSample[] = [];
    if (toolchainMissing) {
        log(`floor and real engine: ${toolchainMissing}`);
    } else {
        const onSignal = () => void stopAll().finally(() => process.exit(130));
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        for (const n of p.ns) {
            for (const variant of ["package", "baseline"] as Variant[]) {
                const { objects: objs } = await registered(variant, `floor-${n}`, benchStackConfig(n));
                for (const parallel of [1, 8]) {
                    const ms = await attempt(`floor ${variant} N=${n}`, () => floorMs(objs, parallel));
                    if (ms !== undefined) {
                        floor.push({ variant, n, objects: objs.length, parallel, ms });
                        log(`floor ${variant} N=${n}: ${objs.length} objects, ${parallel} in flight: ${(ms / 1000).toFixed(1)} s`);
                    }
                }
            }
        }
        // Repeats outermost so that drift on a shared machine spreads over every row.
        const maxRepeats = Math.max(...p.real.map((r) => r.repeats));
        for (let rep = 0; rep < maxRepeats; rep++) {
            for (const r of p.real.filter((x) => x.repeats > rep)) {
                const s = await sample(r.variant, r.n, r.settings, (r.capMin ?? Infinity) * 60_000);
                real.push(s);
                log(describeSample(s));
                if (s.error) {
                    errors.push(describeSample(s));
                }
            }
        }
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
    }

    const data: BenchData = {
        machine: { ...machine, loadEnd: os.loadavg() },
        quick: opts.quick,
        ns: p.ns,
        mockRepeats: p.mockRepeats,
        mock,
        objects,
        sidecars,
        floor,
        real,
        toolchainMissing,
        errors,
        durationS: (performance.now() - started) / 1000,
    };
    const rawDir = path.join(REPO_ROOT, "out/bench");
    fs.mkdirSync(rawDir, { recursive: true });
    fs.writeFileSync(path.join(rawDir, "results.json"), JSON.stringify(data, null, 1));
    writeReport(data, opts.outDir);
    log("raw samples: out/bench/results.json (re-render with --report-only out/bench/results.json)");
    return errors.length > 0 ? 1 : 0;
}

/** Writes BENCHMARKS.md and the chart (quick runs and --out-dir: elsewhere). */
function writeReport(data: BenchData, outDirOpt: string | undefined): void {
    const outDir = path.resolve(REPO_ROOT, outDirOpt ?? (data.quick ? "out/bench" : "."));
    const mdPath = path.join(outDir, "BENCHMARKS.md");
    const svgPath = outDirOpt || data.quick ? path.join(outDir, "benchmarks.svg") : path.join(REPO_ROOT, "docs/benchmarks.svg");
    fs.mkdirSync(path.dirname(svgPath), { recursive: true });
    fs.writeFileSync(svgPath, chartSvg(data));
    fs.writeFileSync(mdPath, markdown(data, path.relative(path.dirname(mdPath), svgPath)));
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
