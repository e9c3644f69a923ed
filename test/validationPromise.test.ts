import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { egressConfig, nearValidConfig, wildConfig } from "./helpers/egressConfigs";
import { checkValidationPromise, newStats } from "./helpers/validationPromise";

// Property: for random whole-setup configurations and near-valid mutations of them, validation
// accepts only what registers cleanly, and rejects before anything is registered, safely.
// `npm test` runs a fixed seed and a modest count; the e2e script runs it again larger
// (PROPERTY_RUNS) and passes every distinct SNI proxy config through a real `nginx -t`
// (PROPERTY_NGINX_T=1; nginx is installed by scripts/system-packages.sh).

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261201);

describe("the validation promise, by property (fast-check, fixed seed)", () => {
    it(`accepted configurations register valid, distinct objects; rejected ones fail first with one safe line (${RUNS} runs)`, async function () {
        this.timeout(Math.max(60_000, RUNS * 500));
        const stats = newStats();
        await fc.assert(
            fc.asyncProperty(
                fc.oneof(
                    { arbitrary: egressConfig, weight: 3 },
                    { arbitrary: nearValidConfig, weight: 2 },
                    { arbitrary: wildConfig, weight: 1 },
                ),
                (config) => checkValidationPromise(config, stats),
            ),
            { seed: SEED, numRuns: RUNS },
        );
        let nginxChecked = 0;
        if (process.env.PROPERTY_NGINX_T === "1") {
            // e2e-only helpers: loaded only where nginx is installed.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const nginx = require("./e2e/support/nginx") as typeof import("./e2e/support/nginx");
            const info = await nginx.nginxBuildInfo();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "property-nginx-"));
            try {
                for (const [i, conf] of [...new Set(stats.nginxConfigs)].entries()) {
                    const prefix = path.join(dir, String(i));
                    fs.mkdirSync(path.join(prefix, "logs"), { recursive: true });
                    // The cluster DNS name resolves in a cluster, not here: nginx -t resolves resolvers.
                    const local = conf
                        .replace(/^(\s*resolver )[^;]*?( valid=)/m, "$1127.0.0.1$2")
                        .replace("pid /tmp/nginx.pid;", `pid ${path.join(prefix, "nginx.pid")};`);
                    const file = path.join(prefix, "nginx.conf");
                    fs.writeFileSync(file, nginx.prepareNginxConfig(local, prefix, info));
                    await nginx.checkNginxConfig(prefix, file);
                    nginxChecked++;
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
        const sampleDir = process.env.PROPERTY_SAMPLE_DIR;
        let sampled = 0;
        if (sampleDir) {
            // A sample of the accepted configurations for the simulation suite (TestGeneratedConfigurations).
            fs.rmSync(sampleDir, { recursive: true, force: true });
            fs.mkdirSync(sampleDir, { recursive: true });
            const step = Math.max(1, Math.floor(stats.rendered.length / 25));
            for (const r of stats.rendered.filter((_, i) => i % step === 0).slice(0, 25)) {
                fs.writeFileSync(path.join(sampleDir, `${r.stack}.json`), JSON.stringify(r, null, 2));
                sampled++;
            }
        }
        console.log(
            `      ${stats.generated} configurations: ${stats.accepted} accepted (${stats.objects} objects), ${stats.rejected} rejected; ${stats.invariants} invariants checked; ${nginxChecked} SNI proxy configs passed nginx -t; ${sampled} written for the simulation`,
        );
        assert.ok(stats.accepted >= RUNS / 10 && stats.rejected >= RUNS / 10, "both sides of the promise are exercised");
    });
});
