import { z } from "zod";

/** The longest message a validation failure prints: enough for a path, a value and the fix. */
export const MAX_MESSAGE_LENGTH = 400;

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;

/** No key or certificate material, one line, bounded: what any validation message must be. */
export function safeMessage(message: string): string {
    const text = message.replace(PEM_BLOCK, "(PEM hidden)").replace(/\s*\n\s*/g, " ");
    return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : text;
}

/** A validation failure: one message naming the field path and the offending value. */
export class ValidationError extends Error {
    readonly issues: readonly string[];
    /** Where the (first) problem is, e.g. `destinations[2].host`. */
    readonly propertyPath: string;
    /** What is wrong there, e.g. `"" is not a host name`. */
    readonly reason: string;
    constructor(message: string, issues: readonly string[]) {
        super(safeMessage(message));
        this.issues = issues.map(safeMessage);
        this.name = "ValidationError";
        // Every message starts with the path: `destinations[2].host: "" is not a host name`.
        const split = /^([^\s:]+): (.*)$/.exec(this.message);
        this.propertyPath = split?.[1] ?? "";
        this.reason = split?.[2] ?? this.message;
    }
}

/** Fields whose values are key or certificate material: their values never appear in messages. */
function isSecretPath(path: readonly PropertyKey[]): boolean {
    return path.some((k) => typeof k === "string" && /pem|privatekey|key$|certificate$/i.test(k));
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
    if (isSecretPath(issue.path)) {
        // The message may quote the value itself: say what is wrong without it.
        const quoted = typeof value === "string" ? JSON.stringify(value) : undefined;
        const message = quoted ? issue.message.split(quoted).join("(value hidden)") : issue.message;
        return `${message} (value hidden)`;
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
    const lines = result.error.issues.map((issue) =>
        issue.code === "unrecognized_keys"
            ? // Name the misspelled field itself: `destinations[0].hots: unknown field`.
              `${formatPath([...issue.path, issue.keys[0] ?? ""], root)}: unknown field${issue.keys.length > 1 ? ` (also ${issue.keys.slice(1).join(", ")})` : ""}`
            : `${formatPath(issue.path, root)}: ${describe(issue, input)}`,
    );
    const more = lines.length > 1 ? ` (and ${lines.length - 1} more problem${lines.length > 2 ? "s" : ""})` : "";
    throw new ValidationError(lines[0] + more, lines);
}
