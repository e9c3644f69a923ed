// The e2e test stack: the repository's real stack program (index.ts), plus the test-only
// skipAwait transform (the harness runs no Pods), and the fault tests' gate (off unless asked for).
import { registerGateTransform } from "./gate";
import { registerSkipAwaitTransform } from "./skipAwait";

registerSkipAwaitTransform();
registerGateTransform();

// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = require("../../../index");
