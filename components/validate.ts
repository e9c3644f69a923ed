import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ValidationError, parseOrThrow } from "../validation/format";

/**
 * Validates a component's args right after `super()`, before any child is registered.
 * A bad input becomes one ResourceError naming the field and the value.
 */
export function validateArgs<S extends z.ZodType>(schema: S, args: unknown, resource: pulumi.Resource): z.output<S> {
    try {
        return parseOrThrow(schema, args ?? {});
    } catch (e) {
        if (e instanceof ValidationError) {
            throw new pulumi.ResourceError(e.message, resource);
        }
        throw e;
    }
}

/**
 * Compile-time check that a public Args interface and its zod schema name the same fields.
 * (Values differ on purpose: Args use plain strings where the schema checks documented values.)
 */
export type Accepts<Schema extends z.ZodType, Args> =
    [Exclude<keyof Args, keyof z.input<Schema>>, Exclude<keyof z.input<Schema>, keyof Args>] extends [never, never] ? true : never;
