// npm run bench:probe -- <package|baseline> <N> [KEY=VALUE …] [--parallel P]
// One real-engine sample (bench/realEngine.ts) with the given engine settings, printed: for
// trying a lever before it goes into the full run.
import { describeSample, sample, stopAll } from "./realEngine";
import { Variant } from "./mockRun";
import { loadToolchain } from "./toolchain";

async function main(argv: string[]): Promise<void> {
    const missing = loadToolchain();
    if (missing) {
        throw new Error(missing);
    }
    const [variant, n, ...rest] = argv;
    const p = rest.indexOf("--parallel");
    const parallel = p >= 0 ? Number(rest[p + 1]) : undefined;
    const env = Object.fromEntries(rest.filter((a) => a.includes("=")).map((a) => a.split("=", 2) as [string, string]));
    const label =
        [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...(parallel ? [`--parallel ${parallel}`] : [])].join(" ") || "defaults";
    console.log(describeSample(await sample(variant as Variant, Number(n), { label, env, parallel })));
}

process.once("SIGINT", () => void stopAll().finally(() => process.exit(130)));
main(process.argv.slice(2)).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
});
