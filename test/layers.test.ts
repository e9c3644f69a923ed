import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

// The library's folders are layers: a file may import its own folder and the layers below it,
// never one above, and no chain of imports may come back to where it started.

const ROOT = path.resolve(__dirname, "..", "..");
/** Lowest first. */
const LAYERS = [["validation"], ["istio", "gatewayapi"], ["kube"], ["helm", "proxy"], ["base"], ["certs"], ["components"], ["."]];

const rank = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));

function sourceFiles(): string[] {
    const out = fs
        .readdirSync(ROOT)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => f);
    for (const folder of LAYERS.flat().filter((f) => f !== ".")) {
        out.push(
            ...fs
                .readdirSync(path.join(ROOT, folder))
                .filter((f) => f.endsWith(".ts"))
                .map((f) => `${folder}/${f}`),
        );
    }
    return out;
}

/** Relative imports of a file, as repository paths (`components/egress.ts`). */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) =>
        path.posix.normalize(path.posix.join(path.posix.dirname(file), `${m[1]}.ts`)),
    );
}

function layerViolations(graph: Map<string, string[]>): string[] {
    const folderOf = (f: string) => (f.includes("/") ? f.split("/")[0] : ".");
    return [...graph].flatMap(([file, deps]) =>
        deps.filter((d) => rank(folderOf(d)) > rank(folderOf(file))).map((d) => `${file} imports ${d}, a higher layer`),
    );
}

function cycles(graph: Map<string, string[]>): string[] {
    const found: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, trail: string[]) => {
        if (state.get(f) === "done") {
            return;
        }
        if (state.get(f) === "open") {
            found.push([...trail.slice(trail.indexOf(f)), f].join(" -> "));
            return;
        }
        state.set(f, "open");
        for (const d of graph.get(f) ?? []) {
            visit(d, [...trail, f]);
        }
        state.set(f, "done");
    };
    [...graph.keys()].forEach((f) => visit(f, []));
    return found;
}

describe("layers and imports of the library", () => {
    const graph = new Map(sourceFiles().map((f) => [f, importsOf(f)]));

    it("reads the imports of every library file", () => {
        assert.ok(graph.size >= 40, `${graph.size} files`);
        assert.ok((graph.get("components/egress.ts") ?? []).includes("components/egressPlan.ts"));
        for (const deps of graph.values()) {
            deps.forEach((d) => assert.ok(fs.existsSync(path.join(ROOT, d)), `${d} exists`));
        }
    });

    it("imports no higher layer", () => assert.deepEqual(layerViolations(graph), []));

    it("has no import cycle", () => assert.deepEqual(cycles(graph), []));

    it("would see a violation and a cycle (negative controls)", () => {
        const bad = new Map([
            ["certs/a.ts", ["components/b.ts"]],
            ["components/b.ts", ["certs/a.ts"]],
        ]);
        assert.deepEqual(layerViolations(bad), ["certs/a.ts imports components/b.ts, a higher layer"]);
        assert.equal(cycles(bad).length, 1);
    });
});
