import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

/**
 * A component's bad-input error as both audiences need it: a ResourceError (the Node runtime then
 * prints the line alone), an InputPropertyError with a property path (what a component provider
 * reports to other languages), one line starting with `message`. Returns the message.
 */
export function assertComponentInputError(error: unknown, message: string): string {
    assert.ok(pulumi.ResourceError.isInstance(error), `throws a ResourceError (got ${String(error)})`);
    assert.ok(pulumi.InputPropertyError.isInstance(error), "and an InputPropertyError");
    const { propertyPath, reason, message: text } = error as pulumi.InputPropertyError;
    assert.ok(propertyPath.length > 0 && text === `${propertyPath}: ${reason}`, `property path of ${text}`);
    assert.ok(text.startsWith(message), `message\n  ${text}\nstarts with\n  ${message}`);
    assert.ok(!text.includes("\n"), "one line");
    return text;
}
