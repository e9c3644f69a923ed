import { z } from "zod";

/** A validation failure: one message naming the field path and the offending value. */
export class ValidationError extends Error {
    constructor(message: string, readonly issues: readonly string[]) {
        super(message);
        this.name = "ValidationError";
    }
}

/** `["destinations", 2, "host"]` → `destinations[2].host`. */
export function formatPath(path: readonly PropertyKey[], root?: string): string {
    let out = root ?? "";
    for (const key of path) {
        if (typeof key === "number") {
            out += `[${key}]`;
        } else {
            out += out === "" ? String(key) : `.${String(key)}`;
        }
    }
    return out === "" ? "(args)" : out;
}

/** Short, single-line rendering of a value for an error message. */
export function showValue(value: unknown): string {
    if (value === undefined) {
        return "undefined";
    }
    let text: string;
    try {
        text = JSON.stringify(value) ?? String(value);
    } catch {
        text = String(value);
    }
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    let cur: unknown = input;
    for (const key of path) {
        if (cur === null || typeof cur !== "object") {
            return undefined;
        }
        cur = (cur as Record<PropertyKey, unknown>)[key];
    }
    return cur;
}

function describe(issue: z.core.$ZodIssue, input: unknown): string {
    const value = valueAt(input, issue.path);
    if (issue.code === "invalid_type" && value === undefined) {
        return "is required";
    }
    const shown = showValue(value);
    // Custom checks already quote the value; built-in ones get it appended.
    return issue.message.includes(shown) ? issue.message : `${issue.message} (got ${shown})`;
}

/**
 * Parses `input` with `schema`. On failure throws a ValidationError whose message is the first
 * problem as `path: what is wrong (got value)`, so one bad field yields one clear line.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, root?: string): z.output<S> {
    const result = schema.safeParse(input);
    if (result.success) {
        return result.data;
    }
    const lines = result.error.issues.map((issue) => issue.code === "unrecognized_keys"
        // Name the misspelled field itself: `destinations[0].hots: unknown field`.
        ? `${formatPath([...issue.path, issue.keys[0] ?? ""], root)}: unknown field${issue.keys.length > 1 ? ` (also ${issue.keys.slice(1).join(", ")})` : ""}`
        : `${formatPath(issue.path, root)}: ${describe(issue, input)}`);
    const more = lines.length > 1 ? ` (and ${lines.length - 1} more problem${lines.length > 2 ? "s" : ""})` : "";
    throw new ValidationError(lines[0] + more, lines);
}
