import { MockResult, Variant } from "./mockRun";
import { RealOp, RealSample, RECOMMENDED, ENGINE_DEFAULTS } from "./realEngine";
import { ProxyFootprint } from "./sidecars";
import { chart, Series } from "./svg";
import { APP_NAMESPACES, mixOf } from "./workload";

// BENCHMARKS.md from one run's raw samples: tables first, then how they were made.

export interface TimedMock extends MockResult {
    readonly rep: number;
    /** The whole child process, Node.js start included. */
    readonly procMs: number;
}

export interface FloorSample {
    readonly variant: Variant;
    readonly n: number;
    readonly objects: number;
    readonly parallel: number;
    readonly ms: number;
}

export interface MachineFacts {
    readonly nproc: string;
    readonly cpuModel: string;
    readonly memGiB: number;
    readonly node: string;
    readonly os: string;
    readonly date: string;
    readonly loadStart: number[];
    readonly loadEnd: number[];
    readonly commit: string;
}

export interface BenchData {
    readonly machine: MachineFacts;
    readonly quick: boolean;
    readonly ns: number[];
    readonly mockRepeats: number;
    readonly mock: TimedMock[];
    readonly objects: MockResult[];
    readonly sidecars: ProxyFootprint[];
    readonly floor: FloorSample[];
    readonly real: RealSample[];
    readonly toolchainMissing?: string;
    readonly errors: string[];
    readonly durationS: number;
}

// ---- figures -------------------------------------------------------------------------------

export function median(xs: number[]): number {
    const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return s.length === 0
        ? NaN
        : s.length % 2
          ? (s[(s.length - 1) / 2] as number)
          : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
}

const floorOf = (d: BenchData, v: Variant, n: number, parallel: number) =>
    d.floor.find((f) => f.variant === v && f.n === n && f.parallel === parallel);

function realOf(d: BenchData, v: Variant, n: number, settings: string, op: RealOp): { ms: number; samples: number; capped: boolean } {
    const ss = d.real.filter((s) => s.variant === v && s.n === n && s.settings === settings && !s.error);
    const done = ss.map((s) => s[op]).filter((x): x is number => x !== undefined);
    const capped = ss.find((s) => s.capped?.op === op);
    if (done.length === 0 && capped?.capped) {
        return { ms: capped.capped.afterMs, samples: 1, capped: true };
    }
    return { ms: median(done), samples: done.length, capped: false };
}

const evalOf = (d: BenchData, v: Variant, n: number) => median(d.mock.filter((m) => m.variant === v && m.n === n).map((m) => m.evalMs));
const objectsOf = (d: BenchData, v: Variant, n: number) => d.objects.find((o) => o.variant === v && o.n === n)?.footprint;
const proxyOf = (d: BenchData, c: string, proxy: "sidecar" | "gateway") => d.sidecars.find((s) => s.case === c && s.proxy === proxy);

// ---- formatting ----------------------------------------------------------------------------

function dur(ms: number | undefined, lowerBound = false): string {
    if (ms === undefined || !Number.isFinite(ms)) {
        return "–";
    }
    const s = ms < 1000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
    return lowerBound ? `> ${s}` : s;
}
const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? "–" : `${(a / b).toFixed(2)}×`;
const int = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en-US"));
const kb = (x: number | undefined) =>
    x === undefined ? "–" : x >= 1024 * 1024 ? `${(x / 1024 / 1024).toFixed(1)} MiB` : `${(x / 1024).toFixed(x < 10_240 ? 1 : 0)} KiB`;

export function table(head: string[], rows: string[][]): string {
    return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const realCell = (d: BenchData, v: Variant, n: number, settings: string, op: RealOp) => {
    const r = realOf(d, v, n, settings, op);
    return dur(r.ms, r.capped);
};

// ---- sections ------------------------------------------------------------------------------

interface Verdict {
    readonly target: string;
    readonly figure: string;
    readonly met: boolean | undefined;
}

function verdicts(d: BenchData): Verdict[] {
    const top = Math.max(...d.ns);
    const up = realOf(d, "package", top, RECOMMENDED.label, "upMs");
    const floor1 = floorOf(d, "package", top, 1)?.ms;
    const again = realOf(d, "package", top, RECOMMENDED.label, "noChangePreviewMs");
    const client = proxyOf(d, `package-n${top}`, "sidecar");
    const only = proxyOf(d, "only-10", "sidecar");
    const gw = (n: number) => proxyOf(d, `package-n${n}`, "gateway");
    const gwGrowth = (gw(top)?.totalBytes ?? NaN) / (gw(top / 10)?.totalBytes ?? NaN);
    const upBase = realOf(d, "baseline", top, RECOMMENDED.label, "upMs");
    const evalPkg = evalOf(d, "package", top);
    const evalBase = evalOf(d, "baseline", top);
    const perDest = (v: Variant) => (objectsOf(d, v, top)?.istioObjects ?? NaN) / top;
    const known = (x: number) => (Number.isFinite(x) ? true : undefined);
    const v = (met: boolean, ...xs: number[]) => (xs.every(Number.isFinite) ? met : undefined);
    return [
        {
            target: `pulumi up, N = ${top}, recommended settings ≤ 3× the one-at-a-time floor`,
            figure: `${dur(up.ms, up.capped)} vs ${dur(floor1)} = ${ratio(up.ms, floor1)}`,
            met: v(!up.capped && up.ms <= 3 * (floor1 ?? NaN), up.ms, floor1 ?? NaN),
        },
        {
            target: `no-change pulumi preview, N = ${top} < 30 s`,
            figure: dur(again.ms, again.capped),
            met: v(again.ms < 30_000, again.ms),
        },
        {
            target: `client sidecar allowed 10 of ${top} ≤ 1.1× a mesh of only those 10 (bytes)`,
            figure: `${kb(client?.totalBytes)} vs ${kb(only?.totalBytes)} = ${ratio(client?.totalBytes, only?.totalBytes)}`,
            met: v((client?.totalBytes ?? NaN) <= 1.1 * (only?.totalBytes ?? NaN), client?.totalBytes ?? NaN, only?.totalBytes ?? NaN),
        },
        {
            target: `gateway configuration linear in N: bytes(${top}) / bytes(${top / 10}) ≤ 11`,
            figure: Number.isFinite(gwGrowth) ? gwGrowth.toFixed(1) : "–",
            met: known(gwGrowth) && gwGrowth <= 11,
        },
        {
            target: `pulumi up no slower than the baseline, N = ${top}, recommended settings`,
            figure: `${dur(up.ms, up.capped)} vs ${dur(upBase.ms, upBase.capped)} = ${ratio(up.ms, upBase.ms)}`,
            met: v(up.ms <= upBase.ms && !up.capped, up.ms, upBase.ms),
        },
        {
            target: `program evaluation under mocks ≤ 1.10× the baseline, N = ${top}`,
            figure: `${dur(evalPkg)} vs ${dur(evalBase)} = ${ratio(evalPkg, evalBase)}`,
            met: v(evalPkg <= 1.1 * evalBase, evalPkg, evalBase),
        },
        {
            target: "Istio objects per destination ≤ ½ the baseline's",
            figure: `${perDest("package").toFixed(2)} vs ${perDest("baseline").toFixed(2)} = ${ratio(perDest("package"), perDest("baseline"))}`,
            met: v(perDest("package") <= 0.5 * perDest("baseline"), perDest("package"), perDest("baseline")),
        },
    ];
}

function upTable(d: BenchData): string {
    const s = RECOMMENDED.label;
    return table(
        [
            "N",
            "objects pkg / base",
            "floor, one at a time pkg / base",
            "floor, 8 in flight pkg / base",
            "pulumi up pkg / base",
            "up ÷ floor (one at a time) pkg / base",
            "pulumi preview, new stack pkg / base",
            "pulumi preview, no changes pkg / base",
            "samples",
        ],
        d.ns.map((n) => {
            const f = (v: Variant, p: number) => floorOf(d, v, n, p);
            const up = (v: Variant) => realOf(d, v, n, s, "upMs");
            return [
                String(n),
                `${int(f("package", 1)?.objects)} / ${int(f("baseline", 1)?.objects)}`,
                `${dur(f("package", 1)?.ms)} / ${dur(f("baseline", 1)?.ms)}`,
                `${dur(f("package", 8)?.ms)} / ${dur(f("baseline", 8)?.ms)}`,
                `${realCell(d, "package", n, s, "upMs")} / ${realCell(d, "baseline", n, s, "upMs")}`,
                `${ratio(up("package").ms, f("package", 1)?.ms)} / ${ratio(up("baseline").ms, f("baseline", 1)?.ms)}`,
                `${realCell(d, "package", n, s, "previewMs")} / ${realCell(d, "baseline", n, s, "previewMs")}`,
                `${realCell(d, "package", n, s, "noChangePreviewMs")} / ${realCell(d, "baseline", n, s, "noChangePreviewMs")}`,
                `${up("package").samples} / ${up("baseline").samples}`,
            ];
        }),
    );
}

function leverTable(d: BenchData): string {
    const rows = [...new Set(d.real.map((s) => `${s.variant}\t${s.n}\t${s.settings}`))]
        .map((k) => k.split("\t") as [Variant, string, string])
        .map(([v, n, settings]) => ({ v, n: Number(n), settings }))
        .filter((r) => r.n >= 100)
        .sort((a, b) => a.n - b.n || a.v.localeCompare(b.v) || a.settings.localeCompare(b.settings));
    return table(
        [
            "side",
            "N",
            "engine settings",
            "pulumi preview, new stack",
            "pulumi up",
            "up ÷ floor (one at a time)",
            "pulumi preview, no changes",
        ],
        rows.map((r) => {
            const up = realOf(d, r.v, r.n, r.settings, "upMs");
            return [
                r.v,
                String(r.n),
                r.settings,
                realCell(d, r.v, r.n, r.settings, "previewMs"),
                dur(up.ms, up.capped),
                `${up.capped ? "> " : ""}${ratio(up.ms, floorOf(d, r.v, r.n, 1)?.ms)}`,
                realCell(d, r.v, r.n, r.settings, "noChangePreviewMs"),
            ];
        }),
    );
}

function sidecarTable(d: BenchData): string {
    const row = (label: string, c: string, proxy: "sidecar" | "gateway", per?: number) => {
        const p = proxyOf(d, c, proxy);
        return [
            label,
            int(p?.clusters),
            int(p?.listeners),
            `${int(p?.routes)} (${int(p?.virtualHosts)} virtual hosts)`,
            kb(p?.clusterBytes),
            kb(p?.listenerBytes),
            kb(p?.routeBytes),
            kb(p?.totalBytes),
            per && p ? int(p.totalBytes / per) : "",
        ];
    };
    return table(
        [
            "proxy and mesh",
            "clusters",
            "listeners",
            "routes",
            "cluster bytes",
            "listener bytes",
            "route bytes",
            "total",
            "bytes per destination",
        ],
        [
            row(`sidecar in ${APP_NAMESPACES[0]}, a mesh of only its 10 destinations (package)`, "only-10", "sidecar"),
            ...d.ns.flatMap((n) => [
                row(`sidecar in ${APP_NAMESPACES[0]}, N = ${n}, package`, `package-n${n}`, "sidecar"),
                row(`sidecar in ${APP_NAMESPACES[0]}, N = ${n}, baseline (everything exported everywhere)`, `baseline-n${n}`, "sidecar"),
            ]),
            ...d.ns.flatMap((n) => [
                row(`egress gateway, N = ${n}, package`, `package-n${n}`, "gateway", n),
                row(`egress gateway, N = ${n}, baseline`, `baseline-n${n}`, "gateway", n),
            ]),
        ],
    );
}

function objectsTable(d: BenchData): string {
    return table(
        [
            "N",
            "Istio objects pkg / base",
            "per destination pkg / base",
            "YAML bytes per destination pkg / base",
            "sidecar-visible YAML bytes per destination pkg / base",
        ],
        d.ns.map((n) => {
            const [p, b] = [objectsOf(d, "package", n), objectsOf(d, "baseline", n)];
            return [
                String(n),
                `${int(p?.istioObjects)} / ${int(b?.istioObjects)}`,
                `${((p?.istioObjects ?? NaN) / n).toFixed(2)} / ${((b?.istioObjects ?? NaN) / n).toFixed(2)}`,
                `${int((p?.istioYamlBytes ?? NaN) / n)} / ${int((b?.istioYamlBytes ?? NaN) / n)}`,
                `${int((p?.sidecarYamlBytes ?? NaN) / n)} / ${int((b?.sidecarYamlBytes ?? NaN) / n)}`,
            ];
        }),
    );
}

function mockTable(d: BenchData): string {
    return table(
        ["N", "evaluation pkg / base", "ratio", "peak RSS MB pkg / base", "resources pkg / base", "runs"],
        d.ns.map((n) => {
            const m = (v: Variant) => d.mock.filter((x) => x.variant === v && x.n === n);
            const rss = (v: Variant) => int(median(m(v).map((x) => x.peakRssMb)));
            return [
                String(n),
                `${dur(evalOf(d, "package", n))} / ${dur(evalOf(d, "baseline", n))}`,
                ratio(evalOf(d, "package", n), evalOf(d, "baseline", n)),
                `${rss("package")} / ${rss("baseline")}`,
                `${int(m("package")[0]?.resources)} / ${int(m("baseline")[0]?.resources)}`,
                `${m("package").length} / ${m("baseline").length}`,
            ];
        }),
    );
}

function growthTable(d: BenchData): string {
    const s = RECOMMENDED.label;
    const figures: [string, (n: number) => number | undefined][] = [
        ["floor, one at a time (package objects)", (n) => floorOf(d, "package", n, 1)?.ms],
        ["pulumi up, package", (n) => realOf(d, "package", n, s, "upMs").ms],
        ["pulumi up, baseline", (n) => realOf(d, "baseline", n, s, "upMs").ms],
        ["pulumi preview, no changes, package", (n) => realOf(d, "package", n, s, "noChangePreviewMs").ms],
        ["evaluation under mocks, package", (n) => evalOf(d, "package", n)],
        ["Istio objects, package", (n) => objectsOf(d, "package", n)?.istioObjects],
        [`sidecar in ${APP_NAMESPACES[0]} (bytes), package`, (n) => proxyOf(d, `package-n${n}`, "sidecar")?.totalBytes],
        [`sidecar in ${APP_NAMESPACES[0]} (bytes), baseline`, (n) => proxyOf(d, `baseline-n${n}`, "sidecar")?.totalBytes],
        ["egress gateway (bytes), package", (n) => proxyOf(d, `package-n${n}`, "gateway")?.totalBytes],
    ];
    const steps = d.ns.slice(1).map((n, i) => [d.ns[i] as number, n] as const);
    return table(
        ["figure", ...steps.map(([a, b]) => `N ${a} → ${b}`)],
        figures.map(([label, f]) => [label, ...steps.map(([a, b]) => ratio(f(b), f(a)))]),
    );
}

// ---- document ------------------------------------------------------------------------------

export function markdown(d: BenchData, svgPath: string): string {
    const m = d.machine;
    const top = Math.max(...d.ns);
    const mix = mixOf(top);
    const verdictRows = verdicts(d).map((v) => [
        v.target,
        v.figure,
        v.met === undefined ? "not measured" : v.met ? "**met**" : "**not met**",
    ]);
    return `# Benchmarks

_Generated by \`npm run bench\` on ${m.date} at commit ${m.commit}, ${Math.round(d.durationS / 60)} min of measuring. Do not edit by hand: rerun it._

The package (the stack program \`index.ts\`) against a **baseline**, a plain Pulumi program that registers per
destination the Istio objects Istio's guides write by hand ([\`bench/baselineStack.ts\`](bench/baselineStack.ts)), and
against the **floor**: the same objects server-side applied straight to the same API server. Workload
([\`bench/workload.ts\`](bench/workload.ts)): N destinations (at N = ${top}: ${mix.http} plain HTTP, ${mix.passthrough} TLS passthrough, ${mix.origination} TLS
origination at the gateway), NetworkPolicies for ${APP_NAMESPACES.length} namespaces, the egress gateway.

![pulumi up against the floor, and sidecar configuration, by N](${svgPath})

## Targets

${table(["target", "figure", "verdict"], verdictRows)}

## Machine

${table(
    ["", ""],
    [
        ["CPU", `${m.nproc} × ${m.cpuModel}`],
        ["memory", `${m.memGiB.toFixed(1)} GiB`],
        ["Node.js, OS", `${m.node}, ${m.os}`],
        [
            "load average at start / end",
            `${m.loadStart.map((l) => l.toFixed(2)).join(", ")} / ${m.loadEnd.map((l) => l.toFixed(2)).join(", ")}`,
        ],
        ["errors", d.errors.length === 0 ? "none" : d.errors.join("; ")],
    ],
)}

The machine is shared: absolute times are noisy; compare figures of the same run.

## 1. \`pulumi up\` against the floor

Real engine (Pulumi CLI, Node.js language host, kubernetes provider from the toolchain) against the e2e
harness's kube-apiserver with Istio's CRDs, with the recommended settings (\`${RECOMMENDED.label}\`). Per sample: a
fresh cluster and project (file backend), \`pulumi preview\`, \`pulumi up\`, \`pulumi preview\` again (it must
show no changes). The floor: the program's objects (under mocks, chart left out) server-side applied to a fresh
cluster of the same harness by a small client (\`bench/floor.ts\`), one at a time and 8 in flight. Medians.
${d.toolchainMissing ? `\n_${d.toolchainMissing}._\n` : ""}
${upTable(d)}

## 2. The engine's levers

The same samples and extra ones with other settings. \`${ENGINE_DEFAULTS.label}\` is what a user gets without
settings; a DIY backend (file, S3, …) then rewrites the whole checkpoint after every step, so the up grows with the
square of the resource count. Journaling, the engine's incremental state, is used by the Pulumi Cloud backend only
in the pinned CLI (3.259.0); it was not measured. "> " marks an operation cut at its time cap: a lower bound.

${leverTable(d)}

## 3. Sidecar configuration

What Istio's own config generator (the simulation suite's fake discovery server, \`test/xds/footprint_test.go\`)
sends to a client sidecar in \`${APP_NAMESPACES[0]}\`, which may use 10 of the N destinations (the others are allowed
to the other ${APP_NAMESPACES.length - 1} namespaces, one each), and to the egress gateway. Bytes: the serialized xDS
resources (protobuf: clusters, listeners, routes; no endpoints or secrets). The baseline exports everything
everywhere, as the guides' YAML does, and has no access control (no AuthorizationPolicies) at the gateway.
At the gateway, HTTP destinations share one server (one Envoy filter chain) per port, but each TLS destination
needs a server of its own (its inner stream is forwarded by its own tcp route), and Envoy repeats the gateway's
RBAC filter, with every TLS destination's policy, on each of those chains: that part grows with the square of
the number of TLS destinations.

${sidecarTable(d)}

## 4. Objects per destination

Istio objects (networking and security) registered under mocks (chart and NetworkPolicies left out), one YAML
document each. The package's include an AuthorizationPolicy per destination that someone may use (who may leave,
to where); the baseline, like the guides' YAML, has none. Sidecar-visible leaves out Gateways, AuthorizationPolicies
(they select the gateway's pods) and objects exported only to their own namespace.

${objectsTable(d)}

## 5. Program evaluation under mocks

A fresh \`node\` process per run ([\`bench/mockRun.ts\`](bench/mockRun.ts)) with the test suite's mocks: from requiring the
program to every registration settled. Median of ${d.mockRepeats}.

${mockTable(d)}

## 6. Growth

Each figure's ratio between consecutive N (linear: 10; fixed costs push it below).

${growthTable(d)}

## Rerun

\`npm run bench\` (this file; about ${Math.round(d.durationS / 60)} min on this machine), \`npm run bench -- --quick\` (N ≤ 100, one
sample each, to \`out/bench/\`), \`--no-real\` (mocks and the sidecar footprint only). The floor alone:
\`npm run bench:floor\`; one real-engine sample with any settings: \`npm run bench:probe -- package 1000 PULUMI_SKIP_CHECKPOINTS=true --parallel 16\`.
Raw samples: \`out/bench/results.json\`; \`--report-only out/bench/results.json\` re-renders. Timings are never
asserted: the benchmark cannot fail CI on a slow machine.
`;
}

/** Two panels: time by N (floor and pulumi up), and sidecar configuration bytes by N. */
export function chartSvg(d: BenchData): string {
    const line = (name: string, color: string, f: (n: number) => number | undefined, dashed = false): Series => ({
        name,
        color,
        dashed,
        points: d.ns.map((n) => [n, (f(n) ?? NaN) / 1000] as [number, number]).filter(([, y]) => Number.isFinite(y) && y > 0),
    });
    const s = RECOMMENDED.label;
    return chart(
        [
            {
                title: "Time to deploy N destinations",
                xLabel: "destinations (N)",
                yLabel: "seconds",
                series: [
                    line("floor, one at a time", "#888888", (n) => floorOf(d, "package", n, 1)?.ms, true),
                    line("pulumi up, package", "#1f77b4", (n) => realOf(d, "package", n, s, "upMs").ms),
                    line("pulumi up, baseline", "#d62728", (n) => realOf(d, "baseline", n, s, "upMs").ms),
                    line("no-change preview, package", "#2ca02c", (n) => realOf(d, "package", n, s, "noChangePreviewMs").ms),
                ],
            },
            {
                title: `Configuration of a sidecar allowed 10 destinations`,
                xLabel: "destinations in the mesh (N)",
                yLabel: "KB of xDS",
                series: [
                    line("package", "#1f77b4", (n) => proxyOf(d, `package-n${n}`, "sidecar")?.totalBytes),
                    line("baseline", "#d62728", (n) => proxyOf(d, `baseline-n${n}`, "sidecar")?.totalBytes),
                    line("mesh of only those 10", "#888888", () => proxyOf(d, "only-10", "sidecar")?.totalBytes, true),
                ],
            },
        ],
        `Measured ${d.machine.date} at ${d.machine.commit}; recommended engine settings (${s}).`,
    );
}
