import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { resetRegistrations, settle } from "../test/helpers/mocks";
import { renderedFrom, RenderedStack } from "../test/helpers/stackProgram";
import { Variant } from "./mockRun";
import { runtimeConfig } from "./workload";

// What either side's stack program registers for a stack config, under the unit tests' mocks:
// the objects the floor applies and the simulation's input.

const PROGRAM_JS: Record<Variant, string> = {
    package: path.resolve(__dirname, "../index.js"),
    baseline: path.resolve(__dirname, "baselineStack.js"),
};

export async function registered(variant: Variant, name: string, config: Record<string, unknown>): Promise<RenderedStack> {
    resetRegistrations();
    pulumi.runtime.setAllConfig(runtimeConfig(config));
    delete require.cache[PROGRAM_JS[variant]];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(PROGRAM_JS[variant]);
    return renderedFrom(name, await settle());
}
