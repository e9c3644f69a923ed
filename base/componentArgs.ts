import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ValidationError, parseOrThrow } from "../validation/format";

/**
 * A component's bad input. For a TypeScript program it is a ResourceError without a stack: the
 * engine prints the one line naming the field and the value. Through the component provider
 * (Python, Go, .NET, YAML) it is an InputPropertyError: the engine reports the property path and
 * the reason in the caller's terms.
 */
export class ComponentInputError extends pulumi.InputPropertyError {
    readonly resource: pulumi.Resource;
    readonly hideStack = true;
    /** The marker `ResourceError.isInstance` checks (pinned SDK), so the Node runtime prints the message alone. */
    readonly __pulumResourceError = true;

    constructor(error: ValidationError, resource: pulumi.Resource) {
        super({ propertyPath: error.propertyPath, reason: error.reason });
        this.message = error.message;
        this.name = "ComponentInputError";
        this.resource = resource;
    }
}

/** Runs `validate`; a ValidationError becomes a ComponentInputError of `resource`. */
export function asComponentInput<T>(resource: pulumi.Resource, validate: () => T): T {
    try {
        return validate();
    } catch (e) {
        throw e instanceof ValidationError ? new ComponentInputError(e, resource) : e;
    }
}

/** Args a parent's plan has already validated, with their validated form, by schema. */
const planned = new WeakMap<object, { schema: z.ZodType; valid: unknown }>();

/**
 * Marks `args`, built by a parent's plan function, as already validated with `schema`: the child
 * component takes `valid` instead of validating again. Validation happens once, in the plan.
 */
export function plannedArgs<T extends object, S extends z.ZodType>(args: T, schema: S, valid: z.output<S>): T {
    planned.set(args, { schema, valid });
    return args;
}

/**
 * Validates a component's args right after `super()`, before any child is registered: a bad
 * input becomes one ComponentInputError naming the field and the value. Args a parent's plan
 * validated (plannedArgs) are not validated again.
 */
export function validateArgs<S extends z.ZodType>(schema: S, args: unknown, resource: pulumi.Resource): z.output<S> {
    const known = typeof args === "object" && args !== null ? planned.get(args) : undefined;
    if (known && known.schema === schema) {
        return known.valid as z.output<S>;
    }
    return asComponentInput(resource, () => parseOrThrow(schema, args ?? {}));
}

/**
 * Compile-time check that a public Args interface and its zod schema name the same fields.
 * (Values differ on purpose: Args use plain strings where the schema checks documented values.)
 */
export type Accepts<Schema extends z.ZodType, Args> = [
    Exclude<keyof Args, keyof z.input<Schema>>,
    Exclude<keyof z.input<Schema>, keyof Args>,
] extends [never, never]
    ? true
    : never;
