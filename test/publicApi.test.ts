import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import * as api from "../api";

// The public API is what consumers use, by name: components, their args, enums, a few helpers.

const API_SOURCE = path.resolve(__dirname, "..", "..", "api.ts");

/** Exported values that are internal machinery: schemas, or builders named like them. */
function leaks(exports: Record<string, unknown>): string[] {
    return Object.entries(exports)
        .filter(([name, value]) => value instanceof z.ZodType || /Schema$|Objects?$|Values$/.test(name))
        .map(([name]) => name);
}

describe("the public API (api.ts)", () => {
    it("exports by name: no export *", () => {
        assert.doesNotMatch(fs.readFileSync(API_SOURCE, "utf8"), /export \*/);
    });

    it("exports every component class under its type token", () => {
        for (const [name, token] of Object.entries(api.TYPE_TOKENS)) {
            assert.equal(typeof (api as Record<string, unknown>)[name], "function", `${name} (${token}) is exported`);
        }
    });

    it("exports no schema or internal builder (meshWideRegistryOnlyValues is a documented helper)", () => {
        assert.deepEqual(
            leaks(api as Record<string, unknown>).filter((n) => n !== "meshWideRegistryOnlyValues"),
            [],
        );
        // Negative control: a schema in the exports would be seen.
        assert.deepEqual(leaks({ egressArgsSchema: z.object({}), Egress: api.Egress }), ["egressArgsSchema"]);
    });
});
