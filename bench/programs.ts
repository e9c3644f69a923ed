import * as path from "node:path";
import { renderConfig, RenderedStack } from "../test/helpers/stackProgram";
import { Variant } from "./mockRun";

// What either side's stack program registers for a stack config, under the unit tests' mocks:
// the objects the floor applies and the simulation's input.

const PROGRAM_JS: Record<Variant, string> = {
    package: path.resolve(__dirname, "../index.js"),
    baseline: path.resolve(__dirname, "baselineStack.js"),
};

export function registered(variant: Variant, name: string, config: Record<string, unknown>): Promise<RenderedStack> {
    return renderConfig(name, config, PROGRAM_JS[variant]);
}
