// Writes what every example stack registers (objects and chart values, no Secrets) as
// <dir>/<stack>.json: the input of the simulation suite (test/xds) and of the e2e check that
// the API server holds exactly these objects after a real `pulumi up`.
//
//   node bin/test/xds/render.js <dir>
import * as fs from "node:fs";
import * as path from "node:path";
import { exampleStacks, renderStack } from "../helpers/stackProgram";

async function main(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".json"))) {
        fs.rmSync(path.join(dir, f));
    }
    for (const stack of exampleStacks()) {
        const rendered = await renderStack(stack);
        fs.writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify(rendered, null, 2) + "\n");
        console.log(`${stack}: ${rendered.objects.length} objects, ${rendered.charts.length} chart(s)`);
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
