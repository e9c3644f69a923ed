// Writes what every example stack registers (objects and chart values, no Secrets) as
// <dir>/<stack>.json: the input of the simulation suite (test/xds) and of the e2e check that
// the API server holds exactly these objects after a real `pulumi up`. The suite's own fixture
// stacks (fixtureStacks.ts) go to <dir>/fixtures/<name>.json, apart from the examples.
//
//   node bin/test/xds/render.js <dir>
import * as fs from "node:fs";
import * as path from "node:path";
import { exampleStacks, renderConfig, renderStack, RenderedStack } from "../helpers/stackProgram";
import { FIXTURE_STACKS } from "./fixtureStacks";

function write(dir: string, rendered: RenderedStack): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${rendered.stack}.json`), JSON.stringify(rendered, null, 2) + "\n");
    console.log(`${rendered.stack}: ${rendered.objects.length} objects, ${rendered.charts.length} chart(s)`);
}

async function main(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".json"))) {
        fs.rmSync(path.join(dir, f));
    }
    fs.rmSync(path.join(dir, "fixtures"), { recursive: true, force: true });
    for (const stack of exampleStacks()) {
        write(dir, await renderStack(stack));
    }
    for (const [name, config] of Object.entries(FIXTURE_STACKS)) {
        write(path.join(dir, "fixtures"), await renderConfig(name, config));
    }
}

const dir = process.argv[2];
if (!dir) {
    console.error("usage: render.js <output dir>");
    process.exit(2);
}
main(path.resolve(dir)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
