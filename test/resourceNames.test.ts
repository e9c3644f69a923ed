import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { resetRegistrations, settle } from "./helpers/mocks";
import { exampleStacks, loadStackConfig, STACKS_DIR } from "./helpers/stackProgram";
import { Egress, EgressArgs } from "../api";

// Resource names are identities: the engine deletes and recreates a resource whose name (or
// parent chain) changes, unless the new child lists the old URN in `aliases`. This snapshot makes
// every rename visible in review. Regenerate with UPDATE_SNAPSHOTS=1 only together with aliases
// for the renamed children (the upgrade e2e test proves they hold against a real engine).

const SNAPSHOT = path.resolve(__dirname, "..", "..", "test", "snapshots", "resourceNames.json");

/** The parts of a Resource the engine builds its URN from (internal fields of the pinned SDK). */
interface ResourceInternals {
    readonly __pulumiType: string;
    readonly __name: string;
    readonly __childResources?: Set<ResourceInternals>;
}

/** `parentType$childType::name` for every descendant, the way the engine qualifies URNs. */
function urnsUnder(root: ResourceInternals, chain = root.__pulumiType): string[] {
    const out: string[] = [];
    for (const child of root.__childResources ?? []) {
        const qualified = `${chain}$${child.__pulumiType}`;
        out.push(`${qualified}::${child.__name}`);
        out.push(...urnsUnder(child, qualified));
    }
    return out;
}

function egressArgsOf(config: Record<string, unknown>): EgressArgs {
    const args: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        if (key.startsWith("istio-egress:")) {
            args[key.slice("istio-egress:".length)] = value;
        }
    }
    return args as EgressArgs;
}

function nameChanges(expected: Record<string, string[]>, actual: Record<string, string[]>): string[] {
    const changes: string[] = [];
    for (const stack of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
        const before = new Set(expected[stack] ?? []);
        const after = new Set(actual[stack] ?? []);
        changes.push(...[...before].filter((n) => !after.has(n)).map((n) => `${stack}: - ${n}`));
        changes.push(...[...after].filter((n) => !before.has(n)).map((n) => `${stack}: + ${n}`));
    }
    return changes;
}

async function namesOf(stack: string, rootName = "egress"): Promise<string[]> {
    resetRegistrations();
    const config = loadStackConfig(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`));
    const egress = new Egress(rootName, egressArgsOf(config));
    await settle();
    const root = egress as unknown as ResourceInternals;
    return [`${root.__pulumiType}::${root.__name}`, ...urnsUnder(root)].sort();
}

describe("resource names of the example stacks", () => {
    it("match the snapshot (a rename needs aliases and a snapshot update)", async () => {
        const names: Record<string, string[]> = {};
        for (const stack of exampleStacks()) {
            names[stack] = await namesOf(stack);
        }
        if (process.env.UPDATE_SNAPSHOTS === "1") {
            fs.writeFileSync(SNAPSHOT, `${JSON.stringify(names, null, 2)}\n`);
        }
        const expected = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, string[]>;
        const changes = nameChanges(expected, names);
        assert.deepEqual(changes, [], `resource names changed:\n${changes.join("\n")}`);
        assert.ok(
            Object.values(names).every((n) => n.length > 1),
            "every stack registers children",
        );
    });

    it("sees a renamed parent in every child's name (negative control)", async () => {
        const expected = { "s06-gateway-mutual-origination": await namesOf("s06-gateway-mutual-origination") };
        const renamed = { "s06-gateway-mutual-origination": await namesOf("s06-gateway-mutual-origination", "egress2") };
        assert.equal(nameChanges(expected, renamed).length, 2 * expected["s06-gateway-mutual-origination"].length);
    });
});
