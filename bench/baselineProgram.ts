// The baseline for the real engine: the hand-written stack (baselineStack.ts) plus the same
// skipAwait transform the e2e test stack adds to the package's program, so the comparison
// stays fair (the harness has no kubelet; awaiting Pods would hang).
import { registerSkipAwaitTransform } from "../test/e2e/program/skipAwait";

registerSkipAwaitTransform();

// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = require("./baselineStack");
