import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { Registered, resetRegistrations, settle } from "./mocks";

// The repository's stack program (index.ts) run under the shared mocks, one example stack at a
// time: what the unit tests check and what the simulation suite is fed.

export const STACKS_DIR = path.resolve(__dirname, "..", "..", "..", "stacks");
const PROGRAM = path.resolve(__dirname, "..", "..", "index.js");

/** Example stack names (`s02-http-gateway`, …), from `stacks/Pulumi.<name>.yaml`. */
export function exampleStacks(): string[] {
    return fs
        .readdirSync(STACKS_DIR)
        .map((f) => /^Pulumi\.(s\d\d-[a-z0-9-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Loads a stack file's config into the runtime, as `pulumi up` would, and returns it. */
export function loadStackConfig(file: string): Record<string, unknown> {
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    setStackConfig(doc.config);
    return doc.config;
}

/** Sets a stack config (the `config:` map of a stack file) in the runtime: values as JSON strings. */
function setStackConfig(config: Record<string, unknown>): void {
    const runtime: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) {
        runtime[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    pulumi.runtime.setAllConfig(runtime);
}

/** Runs the stack program (index.ts, or another compiled program) afresh and returns its exports. */
export function runProgram(programJs = PROGRAM): Record<string, pulumi.Output<unknown>> {
    delete require.cache[require.resolve(programJs)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(programJs) as Record<string, pulumi.Output<unknown>>;
}

/** A Kubernetes object as the program registered it. */
export interface RenderedObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    readonly [field: string]: unknown;
}

/** A Helm chart the program installs, with the values it passes. */
export interface RenderedChart {
    /** Release name. */
    readonly name: string;
    readonly namespace: string;
    /** Chart reference as given (a repository chart name or a local directory). */
    readonly chart: string;
    readonly values: Record<string, unknown>;
}

/** Everything one example stack registers, minus Secrets (their data never leaves the state). */
export interface RenderedStack {
    readonly stack: string;
    readonly objects: RenderedObject[];
    readonly charts: RenderedChart[];
}

const CHART_TYPE = "kubernetes:helm.sh/v4:Chart";

/** Runs one example stack's config through the stack program under mocks. */
export async function renderStack(stack: string): Promise<RenderedStack> {
    resetRegistrations();
    loadStackConfig(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`));
    runProgram();
    return renderedFrom(stack, await settle());
}

/** The same for a config given in code (a stack file's `config:` map), named `stack`; the benchmark passes its baseline program. */
export async function renderConfig(stack: string, config: Record<string, unknown>, programJs = PROGRAM): Promise<RenderedStack> {
    resetRegistrations();
    setStackConfig(config);
    runProgram(programJs);
    return renderedFrom(stack, await settle());
}

/** What a program registered, in the simulation suite's input format. */
export function renderedFrom(stack: string, all: Registered[]): RenderedStack {
    const objects = all
        .filter((r) => r.custom && r.type !== CHART_TYPE)
        .map((r) => r.inputs as unknown as RenderedObject)
        .filter((o) => typeof o.kind === "string" && o.kind !== "Secret");
    const charts = all
        .filter((r) => r.type === CHART_TYPE)
        .map((r): RenderedChart => ({
            name: String(r.inputs.name),
            namespace: String(r.inputs.namespace),
            chart: String(r.inputs.chart),
            values: r.inputs.values as Record<string, unknown>,
        }));
    return { stack, objects: JSON.parse(JSON.stringify(objects)) as RenderedObject[], charts };
}
