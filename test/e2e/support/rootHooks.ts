import { cleanupAll } from "./processes";
import { startE2e, stopE2e } from "./suite";

// Mocha root hooks (loaded with --require by .mocharc.e2e.json): one control plane for the run,
// and every server stopped at the end even when tests fail.
export const mochaHooks = {
    async beforeAll(this: Mocha.Context): Promise<void> {
        this.timeout(10 * 60_000);
        await startE2e();
    },
    async afterAll(this: Mocha.Context): Promise<void> {
        this.timeout(5 * 60_000);
        try {
            await stopE2e();
        } finally {
            await cleanupAll();
        }
    },
};
