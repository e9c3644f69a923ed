import { MockResult, Variant } from "./mockRun";
import { CATEGORIES, ProfileSummary } from "./profile";
import { RealEngineResult, RealSample } from "./realEngine";
import { chart } from "./svg";
import { mixOf } from "./workload";

// Figures from the raw samples, the console table, BENCHMARKS.md and the chart.

export interface TimedMock extends MockResult {
    readonly rep: number;
    /** Wall time of the whole child process (node start, libraries, program, exit), ms. */
    readonly procMs: number;
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
    readonly mockNs: number[];
    readonly mockRepeats: number;
    readonly realNs: number[];
    readonly realRepeats: number;
    readonly mock: TimedMock[];
    readonly mockErrors: string[];
    readonly footprints: MockResult[];
    readonly profiles: { variant: Variant; n: number; summary: ProfileSummary }[];
    readonly real?: RealEngineResult;
    readonly realSkipped?: string;
    readonly durationS: number;
}

// ---- statistics ----------------------------------------------------------------------------

export function median(xs: number[]): number {
    const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    if (s.length === 0) {
        return NaN;
    }
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median of the per-repeat ratios package / baseline (runs of one repeat are adjacent in time). */
function pairedRatio<T extends { rep: number }>(pkg: T[], base: T[], value: (t: T) => number | undefined): number {
    const ratios: number[] = [];
    for (const p of pkg) {
        const b = base.find((x) => x.rep === p.rep);
        const pv = value(p),
            bv = b ? value(b) : undefined;
        if (pv !== undefined && bv !== undefined && bv > 0) {
            ratios.push(pv / bv);
        }
    }
    return median(ratios);
}

export interface MockRow {
    readonly n: number;
    readonly runs: number;
    readonly evalMs: Record<Variant, number>;
    readonly evalMin: Record<Variant, number>;
    readonly evalMax: Record<Variant, number>;
    readonly ratio: number;
    readonly peakRssMb: Record<Variant, number>;
    readonly retainedHeapMb: Record<Variant, number>;
    readonly resources: Record<Variant, number>;
    readonly procMs: Record<Variant, number>;
}

const both = <T>(f: (v: Variant) => T): Record<Variant, T> => ({ package: f("package"), baseline: f("baseline") });

export function mockRows(data: BenchData): MockRow[] {
    return data.mockNs.map((n) => {
        const runs = (v: Variant) => data.mock.filter((m) => m.n === n && m.variant === v);
        return {
            n,
            runs: Math.min(runs("package").length, runs("baseline").length),
            evalMs: both((v) => median(runs(v).map((r) => r.evalMs))),
            evalMin: both((v) => Math.min(...runs(v).map((r) => r.evalMs))),
            evalMax: both((v) => Math.max(...runs(v).map((r) => r.evalMs))),
            ratio: pairedRatio(runs("package"), runs("baseline"), (r) => r.evalMs),
            peakRssMb: both((v) => median(runs(v).map((r) => r.peakRssMb))),
            retainedHeapMb: both((v) => median(runs(v).map((r) => r.retainedHeapMb ?? NaN))),
            resources: both((v) => runs(v)[0]?.resources ?? NaN),
            procMs: both((v) => median(runs(v).map((r) => r.procMs))),
        };
    });
}

export type RealOp = "previewMs" | "upMs" | "noChangePreviewMs";
export const REAL_OPS: { key: RealOp; label: string }[] = [
    { key: "previewMs", label: "pulumi preview (new stack)" },
    { key: "upMs", label: "pulumi up" },
    { key: "noChangePreviewMs", label: "pulumi preview (no changes)" },
];

export interface RealRow {
    readonly n: number;
    /** Complete samples per side. */
    readonly samples: Record<Variant, number>;
    readonly errors: string[];
    /** Median ms; NaN when not measured. */
    readonly ms: Record<RealOp, Record<Variant, number>>;
    /** True where ms is a lower bound (the operation was interrupted at the time cap). */
    readonly lowerBound: Record<RealOp, Record<Variant, boolean>>;
    readonly ratio: Record<RealOp, number>;
    /** "<" or ">" when the ratio is a bound (one side interrupted), "" when exact. */
    readonly ratioBound: Record<RealOp, "" | "<" | ">">;
    readonly created: Record<Variant, number>;
    readonly stateBytes: Record<Variant, number>;
    readonly stateStackTraceBytes: Record<Variant, number>;
    /** Interrupted samples: resources in the state at the cap, and how many a full up would hold. */
    readonly partial: Partial<Record<Variant, { inState?: number; expected?: number }>>;
}

export function realRows(data: BenchData): RealRow[] {
    const all = data.real?.samples ?? [];
    const ns = [...new Set(all.map((s) => s.n))].sort((a, b) => a - b);
    return ns.map((n) => {
        const ok = (v: Variant) => all.filter((s) => s.n === n && s.variant === v && !s.error && !s.aborted);
        const cut = (v: Variant) => all.find((s) => s.n === n && s.variant === v && s.aborted);
        const ms = {} as Record<RealOp, Record<Variant, number>>;
        const lowerBound = {} as Record<RealOp, Record<Variant, boolean>>;
        const ratio = {} as Record<RealOp, number>;
        const ratioBound = {} as Record<RealOp, "" | "<" | ">">;
        for (const { key } of REAL_OPS) {
            const value = (v: Variant): [number, boolean] => {
                if (ok(v).length > 0) {
                    return [median(ok(v).map((s) => s[key] ?? NaN)), false];
                }
                const c = cut(v);
                if (c?.[key] !== undefined) {
                    return [c[key] as number, false];
                }
                return c?.aborted?.op === key ? [c.aborted.afterMs, true] : [NaN, false];
            };
            const [p, pLow] = value("package"),
                [b, bLow] = value("baseline");
            ms[key] = { package: p, baseline: b };
            lowerBound[key] = { package: pLow, baseline: bLow };
            if (!pLow && !bLow) {
                const paired = pairedRatio<RealSample>(ok("package"), ok("baseline"), (s) => s[key]);
                ratio[key] = Number.isFinite(paired) ? paired : p / b;
                ratioBound[key] = "";
            } else if (pLow && bLow) {
                ratio[key] = NaN;
                ratioBound[key] = "";
            } else {
                ratio[key] = p / b;
                ratioBound[key] = bLow ? "<" : ">";
            }
        }
        const partial: RealRow["partial"] = {};
        for (const v of ["package", "baseline"] as Variant[]) {
            const c = cut(v);
            if (c?.aborted) {
                partial[v] = { inState: c.aborted.resourcesInState, expected: c.aborted.expected };
            }
        }
        return {
            n,
            samples: both((v) => ok(v).length),
            errors: all.filter((s) => s.n === n && s.error).map((s) => `${s.variant} #${s.rep + 1}: ${s.error?.split("\n")[0]}`),
            ms,
            lowerBound,
            ratio,
            ratioBound,
            created: both((v) => ok(v)[0]?.created ?? NaN),
            stateBytes: both((v) => median(ok(v).map((s) => s.stateBytes ?? NaN))),
            stateStackTraceBytes: both((v) => median(ok(v).map((s) => s.stateStackTraceBytes ?? NaN))),
            partial,
        };
    });
}

export interface FootprintRow {
    readonly n: number;
    readonly objects: Record<Variant, number>;
    readonly byKind: Record<Variant, Record<string, number>>;
    readonly yamlBytes: Record<Variant, number>;
    readonly labelBytes: Record<Variant, number>;
    readonly sidecarBytes: Record<Variant, number>;
    readonly networkPolicies: Record<Variant, number>;
    readonly schemaErrors: string[];
}

export function footprintRows(data: BenchData): FootprintRow[] {
    return data.mockNs.map((n) => {
        const fp = (v: Variant) => data.footprints.find((f) => f.n === n && f.variant === v)?.footprint;
        return {
            n,
            objects: both((v) => fp(v)?.istioObjects ?? NaN),
            byKind: both((v) => fp(v)?.istioByKind ?? {}),
            yamlBytes: both((v) => fp(v)?.istioYamlBytes ?? NaN),
            labelBytes: both((v) => fp(v)?.istioLabelYamlBytes ?? NaN),
            sidecarBytes: both((v) => fp(v)?.sidecarYamlBytes ?? NaN),
            networkPolicies: both((v) => fp(v)?.networkPolicies ?? NaN),
            schemaErrors: (["package", "baseline"] as Variant[]).flatMap((v) => (fp(v)?.schemaErrors ?? []).map((e) => `${v}: ${e}`)),
        };
    });
}

// ---- targets -------------------------------------------------------------------------------

export interface Target {
    readonly target: string;
    readonly figure: string;
    /** true met, false not met, undefined not measured. */
    readonly met: boolean | undefined;
}

const x2 = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");

export function targets(data: BenchData): Target[] {
    const rows = mockRows(data);
    const big = rows.find((r) => r.n === 1000);
    const at100 = rows.find((r) => r.n === 100);
    const fps = footprintRows(data);
    const fp1000 = fps.find((f) => f.n === 1000) ?? fps[fps.length - 1];
    const out: Target[] = [];
    out.push({
        target: "component overhead ≤ 1.10× baseline under mocks at N = 1000",
        figure: big
            ? `package / baseline = ${x2(big.ratio)} (median of paired runs; ${fmtMs(big.evalMs.package)} vs ${fmtMs(big.evalMs.baseline)})`
            : "N = 1000 not measured (--quick)",
        met: big ? big.ratio <= 1.1 : undefined,
    });
    if (big && at100) {
        const g = big.evalMs.package / at100.evalMs.package;
        const gb = big.evalMs.baseline / at100.evalMs.baseline;
        out.push({
            target: "growth linear: time(1000) / time(100) ≈ 10 or less (mock evaluation)",
            figure: `package ${g.toFixed(1)}, baseline ${gb.toFixed(1)}`,
            met: g <= 11,
        });
    } else {
        out.push({
            target: "growth linear: time(1000) / time(100) ≈ 10 or less (mock evaluation)",
            figure: "N = 1000 not measured (--quick)",
            met: undefined,
        });
    }
    if (fp1000 && Number.isFinite(fp1000.objects.package)) {
        const r = fp1000.objects.package / fp1000.objects.baseline;
        out.push({
            target: "Kubernetes objects per destination ≤ ½ the baseline's",
            figure: `N = ${fp1000.n}: ${(fp1000.objects.package / fp1000.n).toFixed(2)} vs ${(fp1000.objects.baseline / fp1000.n).toFixed(2)} per destination = ${x2(r)}`,
            met: r <= 0.5,
        });
    }
    for (const row of realRows(data)) {
        for (const op of ["previewMs", "upMs"] as RealOp[]) {
            const label = op === "previewMs" ? "preview" : "up";
            const r = row.ratio[op],
                bound = row.ratioBound[op];
            const n = row.samples.package;
            out.push({
                target: `real engine: pulumi ${label} no slower than baseline, N = ${row.n}`,
                figure: Number.isFinite(r)
                    ? `${realCell(row, op, "package")} vs ${realCell(row, op, "baseline")} = ${boundRatio(row, op)}${n > 0 ? ` (${n} sample${n === 1 ? "" : "s"})` : ""}`
                    : "no comparable pair",
                met: !Number.isFinite(r)
                    ? undefined
                    : bound === ""
                      ? r <= 1.0
                      : bound === "<"
                        ? r <= 1.0
                            ? true
                            : undefined
                        : r > 1.0
                          ? false
                          : undefined,
            });
        }
    }
    if (!data.real) {
        out.push({
            target: "real engine: pulumi preview and up no slower than baseline",
            figure: data.realSkipped ?? "not run",
            met: undefined,
        });
    }
    return out;
}

// ---- formatting ----------------------------------------------------------------------------

function fmtMs(ms: number): string {
    if (!Number.isFinite(ms)) {
        return "–";
    }
    return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function fmtS(ms: number): string {
    if (!Number.isFinite(ms)) {
        return "–";
    }
    return ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
}

/** A real-engine time, "> …" when the operation was interrupted at the cap. */
function realCell(r: RealRow, op: RealOp, v: Variant): string {
    return `${r.lowerBound[op][v] ? "> " : ""}${fmtS(r.ms[op][v])}`;
}

/** The ratio package / baseline, "< r" or "> r" when one side was interrupted. */
function boundRatio(r: RealRow, op: RealOp): string {
    return `${r.ratioBound[op] ? `${r.ratioBound[op]} ` : ""}${x2(r.ratio[op])}`;
}

function createdCell(r: RealRow, v: Variant): string {
    const p = r.partial[v];
    if (p) {
        return `${p.inState !== undefined ? int(p.inState) : "?"} of ~${p.expected !== undefined ? int(p.expected) : "?"} at the cap`;
    }
    return int(r.created[v]);
}

const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "–");
const dec = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "–");
const pb = (a: string, b: string) => `${a} / ${b}`;
const metText = (m: boolean | undefined) => (m === undefined ? "not measured" : m ? "**met**" : "**not met**");

/** A padded markdown table: readable on a console and valid markdown. */
export function table(head: string[], rows: string[][]): string {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export function mockTable(data: BenchData): string {
    const rows = mockRows(data);
    // Retained heap is recorded by newer runs only: the column appears when there are figures.
    const withHeap = rows.some((r) => Number.isFinite(r.retainedHeapMb.package));
    return table(
        [
            "N",
            "eval package",
            "eval baseline",
            "ratio pkg/base",
            "peak RSS MB pkg / base",
            ...(withHeap ? ["heap after GC MB pkg / base"] : []),
            "resources pkg / base",
            "process wall pkg / base",
            "runs",
        ],
        rows.map((r) => [
            String(r.n),
            `${fmtMs(r.evalMs.package)} (${fmtMs(r.evalMin.package)}–${fmtMs(r.evalMax.package)})`,
            `${fmtMs(r.evalMs.baseline)} (${fmtMs(r.evalMin.baseline)}–${fmtMs(r.evalMax.baseline)})`,
            x2(r.ratio),
            pb(dec(r.peakRssMb.package, 0), dec(r.peakRssMb.baseline, 0)),
            ...(withHeap ? [pb(dec(r.retainedHeapMb.package, 0), dec(r.retainedHeapMb.baseline, 0))] : []),
            pb(int(r.resources.package), int(r.resources.baseline)),
            pb(fmtMs(r.procMs.package), fmtMs(r.procMs.baseline)),
            String(r.runs),
        ]),
    );
}

export function realTable(data: BenchData): string {
    const rows = realRows(data);
    if (rows.length === 0) {
        return data.realSkipped ? `real engine: ${data.realSkipped}` : "real engine: no samples";
    }
    // State sizes are recorded by newer runs only: the column appears when there are figures.
    const withState = rows.some((r) => Number.isFinite(r.stateBytes.package) || Number.isFinite(r.stateBytes.baseline));
    const stateCell = (r: RealRow, v: Variant) =>
        Number.isFinite(r.stateBytes[v])
            ? `${int(r.stateBytes[v] / r.n)}${Number.isFinite(r.stateStackTraceBytes[v]) ? ` (${((100 * r.stateStackTraceBytes[v]) / r.stateBytes[v]).toFixed(0)} %)` : ""}`
            : "–";
    return table(
        [
            "N",
            ...REAL_OPS.flatMap((o) => [`${o.label} pkg / base`, "ratio"]),
            "resources pkg / base",
            ...(withState ? ["state bytes per destination (stack-trace share) pkg / base"] : []),
            "samples",
        ],
        rows.map((r) => [
            String(r.n),
            ...REAL_OPS.flatMap((o) => [pb(realCell(r, o.key, "package"), realCell(r, o.key, "baseline")), boundRatio(r, o.key)]),
            pb(createdCell(r, "package"), createdCell(r, "baseline")),
            ...(withState ? [pb(stateCell(r, "package"), stateCell(r, "baseline"))] : []),
            `${r.samples.package} / ${r.samples.baseline}${r.errors.length ? ` (${r.errors.length} failed)` : ""}`,
        ]),
    );
}

export function footprintTable(data: BenchData): string {
    return table(
        [
            "N",
            "Istio objects pkg / base",
            "objects per destination pkg / base",
            "ratio",
            "YAML bytes per destination pkg / base",
            "ratio",
            "sidecar-visible bytes per destination pkg / base",
            "ratio",
        ],
        footprintRows(data).map((f) => [
            String(f.n),
            pb(int(f.objects.package), int(f.objects.baseline)),
            pb(dec(f.objects.package / f.n, 2), dec(f.objects.baseline / f.n, 2)),
            x2(f.objects.package / f.objects.baseline),
            pb(int(f.yamlBytes.package / f.n), int(f.yamlBytes.baseline / f.n)),
            x2(f.yamlBytes.package / f.yamlBytes.baseline),
            pb(int(f.sidecarBytes.package / f.n), int(f.sidecarBytes.baseline / f.n)),
            x2(f.sidecarBytes.package / f.sidecarBytes.baseline),
        ]),
    );
}

/** Per-destination cost between consecutive Ns (the slope, free of fixed costs). */
export function growthTable(data: BenchData): string {
    const rows = mockRows(data);
    const fps = footprintRows(data);
    const out: string[][] = [];
    for (let i = 1; i < rows.length; i++) {
        const a = rows[i - 1],
            b = rows[i];
        const dn = b.n - a.n;
        const fa = fps[i - 1],
            fb = fps[i];
        out.push([
            `${a.n} → ${b.n}`,
            pb(dec(b.evalMs.package / a.evalMs.package), dec(b.evalMs.baseline / a.evalMs.baseline)),
            pb(dec((b.evalMs.package - a.evalMs.package) / dn, 2), dec((b.evalMs.baseline - a.evalMs.baseline) / dn, 2)),
            pb(
                dec(((b.peakRssMb.package - a.peakRssMb.package) * 1024) / dn, 0),
                dec(((b.peakRssMb.baseline - a.peakRssMb.baseline) * 1024) / dn, 0),
            ),
            pb(dec((fb.objects.package - fa.objects.package) / dn, 2), dec((fb.objects.baseline - fa.objects.baseline) / dn, 2)),
            pb(int((fb.yamlBytes.package - fa.yamlBytes.package) / dn), int((fb.yamlBytes.baseline - fa.yamlBytes.baseline) / dn)),
        ]);
    }
    const real = realRows(data);
    for (let i = 1; i < real.length; i++) {
        const a = real[i - 1],
            b = real[i];
        const lb = (v: Variant) => (b.lowerBound.upMs[v] ? "> " : "");
        out.push([
            `${a.n} → ${b.n} (real engine, pulumi up)`,
            pb(
                `${lb("package")}${dec(b.ms.upMs.package / a.ms.upMs.package)}`,
                `${lb("baseline")}${dec(b.ms.upMs.baseline / a.ms.upMs.baseline)}`,
            ),
            pb(
                `${lb("package")}${dec((b.ms.upMs.package - a.ms.upMs.package) / (b.n - a.n), 0)}`,
                `${lb("baseline")}${dec((b.ms.upMs.baseline - a.ms.upMs.baseline) / (b.n - a.n), 0)}`,
            ),
            "",
            "",
            "",
        ]);
    }
    return table(
        [
            "N",
            "time(N₂) / time(N₁) pkg / base",
            "ms per added destination pkg / base",
            "KB peak RSS per added destination pkg / base",
            "objects per added destination pkg / base",
            "YAML bytes per added destination pkg / base",
        ],
        out,
    );
}

export function profileTable(data: BenchData): string {
    if (data.profiles.length === 0) {
        return "(no profile)";
    }
    const p = data.profiles.find((x) => x.variant === "package");
    const b = data.profiles.find((x) => x.variant === "baseline");
    const cats = Object.values(CATEGORIES).filter((c) => (p?.summary.categories[c] ?? 0) + (b?.summary.categories[c] ?? 0) > 0);
    const cell = (s: ProfileSummary | undefined, c: string) => {
        const ms = s?.categories[c] ?? 0;
        return s ? `${int(ms)} ms (${((100 * ms) / s.totalMs).toFixed(0)} %)` : "–";
    };
    return table(
        ["where the time goes (CPU self time)", `package, N = ${p?.n ?? "–"}`, `baseline, N = ${b?.n ?? "–"}`],
        [
            ...cats.map((c) => [c, cell(p?.summary, c), cell(b?.summary, c)]),
            [
                "total (profiled, slower than unprofiled runs)",
                p ? `${int(p.summary.totalMs)} ms` : "–",
                b ? `${int(b.summary.totalMs)} ms` : "–",
            ],
        ],
    );
}

export function targetsTable(data: BenchData): string {
    return table(
        ["target", "figure", "verdict"],
        targets(data).map((t) => [t.target, t.figure, metText(t.met)]),
    );
}

export function consoleReport(data: BenchData): string {
    return [
        "",
        "== Program evaluation under mocks (median of runs; min–max in brackets)",
        mockTable(data),
        "",
        "== Real engine (pulumi CLI + kubernetes provider against the test kube-apiserver; medians)",
        realTable(data),
        ...(data.real?.notes ?? []).map((n) => `   ${n}`),
        "",
        "== Footprint (Istio objects the programs register; the gateway chart and NetworkPolicies excluded)",
        footprintTable(data),
        "",
        "== Growth",
        growthTable(data),
        "",
        "== Targets",
        targetsTable(data),
        "",
    ].join("\n");
}

// ---- BENCHMARKS.md -------------------------------------------------------------------------

/** renderedAt: the commit that re-rendered the figures with --report-only, when it did. */
export function markdown(data: BenchData, svgPath: string, renderedAt?: string): string {
    const m = data.machine;
    const fps = footprintRows(data);
    const fpBig = fps[fps.length - 1];
    const mix = mixOf(1000);
    const prof = data.profiles.find((x) => x.variant === "package");
    const profB = data.profiles.find((x) => x.variant === "baseline");
    const share = (s: ProfileSummary | undefined, ...cats: string[]) =>
        s ? `${((100 * cats.reduce((n, c) => n + (s.categories[c] ?? 0), 0)) / s.totalMs).toFixed(0)} %` : "–";
    const schemaErrors = fps.flatMap((f) => f.schemaErrors);
    const lines: string[] = [];
    lines.push(
        "# Benchmarks",
        "",
        "_Generated by `npm run bench" +
            (data.quick ? " -- --quick` (development figures: fewer repeats, N ≤ 100)" : "`") +
            ` on ${m.date}` +
            (renderedAt
                ? ` (measured at commit ${m.commit}; text and tables re-rendered from the raw samples with \`--report-only\` at commit ${renderedAt})`
                : "") +
            ". Do not edit by hand: rerun it._",
        "",
        "The package (`index.ts` → `Egress`) against a **baseline**: a plain Pulumi program",
        "([`bench/baselineStack.ts`](bench/baselineStack.ts)) that registers, per destination, the Istio objects the seeds",
        "write by hand, with no component layer. Both read the same stack config: N destinations",
        `(2 in 5 plain HTTP, 2 in 5 TLS passthrough, 1 in 5 TLS origination at the gateway: ${mix.http} / ${mix.passthrough} / ${mix.origination} at N = 1000),`,
        "NetworkPolicies for 10 namespaces, and the egress gateway.",
        "",
        `![time and objects against the number of destinations](${svgPath})`,
        "",
        "## Machine",
        "",
        table(
            ["", ""],
            [
                ["date", m.date],
                ["nproc", m.nproc],
                ["CPU", m.cpuModel],
                ["memory", `${m.memGiB.toFixed(1)} GiB`],
                ["Node.js", m.node],
                ["OS", m.os],
                [
                    "load average (1, 5, 15 min) at start / end",
                    `${m.loadStart.map((l) => l.toFixed(2)).join(", ")} / ${m.loadEnd.map((l) => l.toFixed(2)).join(", ")}`,
                ],
                ["commit", m.commit],
                [
                    "run",
                    `${data.mockRepeats} run${data.mockRepeats === 1 ? "" : "s"} per N and side under mocks; ${data.real ? `${data.realRepeats} per N and side with the real engine` : `real engine ${data.realSkipped ?? "not run"}`}; ${Math.round(data.durationS / 60)} min in all`,
                ],
            ],
        ),
        "",
        "The machine is shared: absolute times are noisy. Compare the **ratios**, which pair runs made",
        "back to back in the same run of the script.",
        "",
        "## Targets",
        "",
        targetsTable(data),
        "",
        "## Findings",
        "",
        ...findings(data),
        "",
        "## 1. Program evaluation under mocks",
        "",
        "Each run is a fresh `node --expose-gc` process ([`bench/mockRun.ts`](bench/mockRun.ts)) with `pulumi.runtime.setMocks`",
        "(the test suite's mocks). **eval** is the time from requiring the program to the moment every",
        "registration has reached the mocks; `@pulumi/pulumi` and `@pulumi/kubernetes` are loaded before the clock",
        "starts, the package's own modules (zod, `@pulumi/tls`, the components) inside it. Peak RSS is the",
        "process's `maxRSS` (where shown, *heap after GC* is what the registered resources still hold once the run has",
        "settled). *Process wall* is the whole child process, Node.js start and libraries included. Ratio = median over repeats of",
        "package / baseline, the two runs of a repeat being adjacent (their order alternates).",
        "",
        mockTable(data),
        "",
        "## 2. Real engine",
        "",
        "The Pulumi CLI, Node.js language host and kubernetes provider from `scripts/toolchain.sh`, against the e2e",
        "harness's throw-away etcd + kube-apiserver (Istio's CRDs installed). Per sample: a fresh cluster, a fresh",
        "project with a local file backend, then `pulumi preview` of the new stack, `pulumi up`, and `pulumi preview`",
        "again (no changes: what a pull request shows). Wall time around each Automation API call: CLI start,",
        "plugins, program, engine and API server included. Both programs run with the e2e `pulumi.com/skipAwait`",
        "transform (the harness has no kubelet). Where the table has a state column: the checkpoint's size after",
        "`pulumi up` divided by N, and the share of it taken by the registration stack traces the engine keeps for",
        "every resource (`stackTrace`, `sourcePosition`).",
        "",
        realTable(data),
        "",
        ...(data.real?.notes ?? []).map((n) => `- ${n}`),
        ...realRows(data).flatMap((r) => r.errors.map((e) => `- N = ${r.n}: failed sample: ${e}`)),
        "",
        "## 3. Footprint",
        "",
        "Istio objects registered under mocks, serialised one YAML document each (`js-yaml`). The gateway chart's",
        "objects (the same chart and values on both sides) and the NetworkPolicies (one per namespace on both",
        `sides: ${int(fpBig?.networkPolicies.package ?? NaN)} / ${int(fpBig?.networkPolicies.baseline ?? NaN)}) are left out. *Sidecar-visible* leaves out what sidecars`,
        'never receive: Gateways (gateway proxies only) and objects with `exportTo: ["."]` (the package\'s origination',
        "DestinationRules, kept in the gateway's namespace).",
        "",
        footprintTable(data),
        "",
        ...(fpBig
            ? [
                  `At N = ${fpBig.n}: package ${Object.entries(fpBig.byKind.package)
                      .map(([k, v]) => `${v} ${k}`)
                      .join(", ")};`,
                  `baseline ${Object.entries(fpBig.byKind.baseline)
                      .map(([k, v]) => `${v} ${k}`)
                      .join(", ")}.`,
                  `The package's three labels (\`app.kubernetes.io/managed-by\`, \`part-of\`, \`istio-egress.pulumi.com/component\`) cost`,
                  `${int(fpBig.labelBytes.package / fpBig.objects.package)} bytes per object, ${int(fpBig.labelBytes.package / fpBig.n)} bytes per destination; the seeds' YAML has no labels.`,
                  "",
              ]
            : []),
        schemaErrors.length === 0
            ? "Every Istio object of both sides passes its CRD schema (unknown fields rejected), as in the test suite."
            : `CRD schema errors: ${schemaErrors.slice(0, 10).join("; ")}`,
        "",
        "## 4. Growth",
        "",
        "Between consecutive N: the time ratio (linear is N₂/N₁ = 10 when fixed costs are negligible; fixed",
        "costs push it below), and the cost of each added destination.",
        "",
        growthTable(data),
        "",
        "## Where the package's time goes",
        "",
        "A CPU profile (V8 inspector, over the same timed span, one extra run per side at the largest N; profiling",
        "slows the run, so these are shares, not timings):",
        "",
        profileTable(data),
        "",
        ...(prof
            ? [
                  `At N = ${prof.n}, the component layer — zod validation, the package's own code, and loading their modules — takes`,
                  `${share(prof.summary, CATEGORIES.zod, CATEGORIES.pkg, CATEGORIES.load)} of the package's evaluation (module loading alone ${share(prof.summary, CATEGORIES.load)}; the baseline spends ${share(profB?.summary, CATEGORIES.load, CATEGORIES.bench)} on its`,
                  `module and code). The rest is Pulumi's machinery: the SDK, gRPC/protobuf serialisation of every resource's`,
                  `inputs, and the Node.js internals and GC they drive (${share(prof.summary, CATEGORIES.sdk, CATEGORIES.rpc, CATEGORIES.node, CATEGORIES.gc, CATEGORIES.idle)} package, ${share(profB?.summary, CATEGORIES.sdk, CATEGORIES.rpc, CATEGORIES.node, CATEGORIES.gc, CATEGORIES.idle)} baseline).`,
                  ...(prof.summary.top.some((t) => t.fn.startsWith("debuggablePromise") || t.fn.startsWith("defaultPrepareStackTrace"))
                      ? [
                            "The biggest single items are the SDK's `debuggablePromise`, which captures a stack trace (`new Error().stack`,",
                            "hence `defaultPrepareStackTrace`) for every promise it creates, several per resource, and protobuf encoding.",
                        ]
                      : []),
                  "That machinery costs per registered resource, so evaluation time follows the resource count, not the",
                  `component layer: ${registeredAt(data, prof.n)}. gRPC/protobuf is the exception: it costs per byte sent, and`,
                  "the package sends about as many bytes as the baseline (see the YAML bytes under Footprint) in half as many",
                  "requests, so its share is the larger one.",
                  "",
                  "Top functions by self time (package):",
                  "",
                  table(
                      ["function", "category", "ms"],
                      prof.summary.top.map((t) => [t.fn.replace(/\|/g, "\\|"), t.category, int(t.ms)]),
                  ),
                  "",
              ]
            : []),
        "## What is compared, exactly",
        "",
        "- **Package**: the repository's stack program `index.ts` (config read and validated, one `Egress` with",
        "  `EgressGateway`, `EgressDestinations`, `EgressNetworkPolicies`), with the stack config from",
        "  [`bench/workload.ts`](bench/workload.ts). Per destination it owns a ServiceEntry and a VirtualService (plus a",
        "  DestinationRule for origination); one Gateway and one DestinationRule for the gateway serve all.",
        "- **Baseline**: [`bench/baseline.ts`](bench/baseline.ts), per destination the seeds' objects: ServiceEntry, Gateway,",
        "  DestinationRule (gateway subset) and VirtualService, and for origination the extra DestinationRule",
        "  (`originate-tls-for-…`) of Istio's *Egress Gateways with TLS Origination* guide; seed 002's NetworkPolicy per",
        "  namespace. Two deviations so that N destinations can share one gateway: object names carry the",
        "  destination's name, and origination uses gateway port 443 (the guide's port 80 with protocol HTTPS would",
        "  clash with the plain-HTTP destinations' port 80 servers).",
        "- **Gateway chart: installed on both sides.** The package's output includes the egress gateway, so the",
        "  baseline installs the same local chart (`charts/gateway`, `helm.v4.Chart`) with the values the package",
        "  computes by default, written out by hand. Under mocks the chart is one registration; with the real engine",
        "  the provider renders it into the same handful of objects on both sides: a fixed cost that weighs most at small N.",
        "- Timings are never asserted: `npm run bench` exits 0 whatever the figures (it exits 1 only if a program",
        "  fails), so it cannot fail CI on a slow machine.",
        "",
        "Rerun: `npm run bench` (full: N = 1, 10, 100, 1000 under mocks ×5; real engine N = 10, 100 ×3, and N = 1000",
        "×1 per side within a time budget, `--real-budget-min`, default 80: each side gets half, and an operation still",
        "running at its cap is interrupted and reported as a lower bound). `npm run bench -- --quick`: ×2 under mocks,",
        "N ≤ 100, real engine ×1, no N = 1000, output to `out/bench/`. `--no-real` skips the real engine; without the",
        "toolchain (`scripts/toolchain.sh`) it is skipped with a line saying so. Raw samples: `out/bench/results.json`;",
        "`--report-only out/bench/results.json` re-renders this file from them.",
        "",
    );
    return lines.join("\n");
}

function registeredAt(data: BenchData, n: number): string {
    const r = mockRows(data).find((x) => x.n === n);
    if (!r) {
        return "–";
    }
    const faster = r.ratio < 1 ? "the package is the faster side" : "the package is the slower side";
    return `at N = ${n} the package registers ${int(r.resources.package)} resources and the baseline ${int(r.resources.baseline)}, and ${faster} (${x2(r.ratio)})`;
}

/** A few sentences read off the figures (regenerated with them). */
function findings(data: BenchData): string[] {
    const rows = mockRows(data);
    const out: string[] = [];
    const first = rows[0],
        last = rows[rows.length - 1];
    if (first && last && first !== last) {
        out.push(
            `- **Fixed cost.** At N = ${first.n} the package's evaluation takes ${fmtMs(first.evalMs.package)} against ${fmtMs(first.evalMs.baseline)} (${x2(first.ratio)}): ` +
                "loading zod, `@pulumi/tls` and the package's modules, building the schemas and validating, and four component " +
                "resources. It is paid once per run and vanishes in the ratio as N grows.",
        );
        const prev = rows[rows.length - 2];
        const dn = last.n - prev.n;
        const mp = (last.evalMs.package - prev.evalMs.package) / dn,
            mb = (last.evalMs.baseline - prev.evalMs.baseline) / dn;
        out.push(
            `- **Per destination.** From N = ${prev.n} to ${last.n}, each added destination costs ${mp.toFixed(2)} ms in the package and ${mb.toFixed(2)} ms in the baseline ` +
                `(${x2(mp / mb)}); peak RSS at N = ${last.n}: ${dec(last.peakRssMb.package, 0)} MB vs ${dec(last.peakRssMb.baseline, 0)} MB.`,
        );
    }
    const real = realRows(data);
    if (real.length > 0) {
        const ratios = (r: RealRow) =>
            REAL_OPS.map(
                (o) => `${o.key === "previewMs" ? "preview" : o.key === "upMs" ? "up" : "no-change preview"} ${boundRatio(r, o.key)}`,
            ).join(", ");
        out.push(
            `- **Real engine.** ${real.map((r) => `N = ${r.n}: ${ratios(r)}`).join("; ")} (package / baseline). ` +
                "At small N both sides are dominated by what they share: CLI and plugin start-up, the program's libraries and the chart.",
        );
        const r100 = real.find((r) => r.n === 100),
            r1000 = real.find((r) => r.n === 1000);
        if (r100 && r1000) {
            const g = (v: Variant) => `${r1000.lowerBound.upMs[v] ? "> " : ""}${dec(r1000.ms.upMs[v] / r100.ms.upMs[v])}`;
            out.push(
                `- **\`pulumi up\` is not linear in N.** up(1000) / up(100) = ${g("package")} for the package and ${g("baseline")} for the baseline. ` +
                    "With the file backend the CLI writes the whole checkpoint after every resource step" +
                    (Number.isFinite(r1000.stateBytes.package)
                        ? ` (${dec(r1000.stateBytes.package / 1024 ** 2, 1)} MB for the package's state at N = 1000, ${Number.isFinite(r1000.stateBytes.baseline) ? `${dec(r1000.stateBytes.baseline / 1024 ** 2, 1)} MB` : "more"} for the baseline's), `
                        : ", ") +
                    "so each step costs in proportion to the resources already deployed and the up as a whole grows with the square of the " +
                    "resource count: the engine's cost, the same on both sides, which is why registering about half the resources pays off " +
                    "more and more as N grows. DIY backends (file, S3, …) save full checkpoints like this; Pulumi Cloud was not measured.",
            );
        }
    }
    const fps = footprintRows(data);
    const fp = fps[fps.length - 1];
    if (fp && Number.isFinite(fp.yamlBytes.package)) {
        out.push(
            `- **Fewer objects, not fewer bytes.** At N = ${fp.n} the package writes ${x2(fp.objects.package / fp.objects.baseline)} the baseline's objects but ` +
                `${x2(fp.yamlBytes.package / fp.yamlBytes.baseline)} its YAML (${x2(fp.sidecarBytes.package / fp.sidecarBytes.baseline)} of what sidecars receive): the shared Gateway and DestinationRule still grow by one ` +
                `server host and one subset per destination, the VirtualService routes carry names, and the three labels on every object ` +
                `add ${int(fp.labelBytes.package / fp.n)} bytes per destination (${((100 * fp.labelBytes.package) / fp.yamlBytes.package).toFixed(0)} % of the package's YAML).`,
        );
    }
    return out;
}

// ---- chart ---------------------------------------------------------------------------------

export function svg(data: BenchData): string {
    const rows = mockRows(data);
    const real = realRows(data);
    const fps = footprintRows(data);
    const blue = "#1f6fb4",
        orange = "#e07b00";
    const timeSeries = [
        { name: "package, mock evaluation", color: blue, points: rows.map((r): [number, number] => [r.n, r.evalMs.package / 1000]) },
        { name: "baseline, mock evaluation", color: orange, points: rows.map((r): [number, number] => [r.n, r.evalMs.baseline / 1000]) },
        ...(real.length > 0
            ? [
                  {
                      name: "package, pulumi up (real engine)",
                      color: blue,
                      dashed: true,
                      points: real.map((r): [number, number] => [r.n, r.ms.upMs.package / 1000]),
                      lowerBounds: real.map((r) => r.lowerBound.upMs.package),
                  },
                  {
                      name: "baseline, pulumi up (real engine)",
                      color: orange,
                      dashed: true,
                      points: real.map((r): [number, number] => [r.n, r.ms.upMs.baseline / 1000]),
                      lowerBounds: real.map((r) => r.lowerBound.upMs.baseline),
                  },
              ]
            : []),
    ];
    const objectSeries = [
        { name: "package, Istio objects", color: blue, points: fps.map((f): [number, number] => [f.n, f.objects.package]) },
        { name: "baseline, Istio objects", color: orange, points: fps.map((f): [number, number] => [f.n, f.objects.baseline]) },
        {
            name: "package, YAML KB",
            color: blue,
            dashed: true,
            points: fps.map((f): [number, number] => [f.n, f.yamlBytes.package / 1024]),
        },
        {
            name: "baseline, YAML KB",
            color: orange,
            dashed: true,
            points: fps.map((f): [number, number] => [f.n, f.yamlBytes.baseline / 1024]),
        },
    ];
    return chart(
        [
            { title: "Time (median, seconds)", xLabel: "destinations (N)", yLabel: "seconds", series: timeSeries },
            { title: "Istio objects and YAML size", xLabel: "destinations (N)", yLabel: "objects / KB", series: objectSeries },
        ],
        `istio-egress benchmarks, ${data.machine.date.slice(0, 10)}, nproc ${data.machine.nproc}, node ${data.machine.node}` +
            `${real.some((r) => r.lowerBound.upMs.package || r.lowerBound.upMs.baseline) ? "; hollow point: interrupted at the time cap (lower bound)" : ""}`,
    );
}
