import { z } from "zod";
import { isDnsLabel } from "./common";

// Who may use an egress destination: workloads by namespace and/or service account. "*" in
// namespaces means any workload with a mesh identity (any namespace).

export const ANY_NAMESPACE = "*";

const sourceNamespace = z.string().refine((s) => s === ANY_NAMESPACE || isDnsLabel(s), {
    error: (iss) => `${JSON.stringify(iss.input)} is not a namespace name (or "*" for any namespace)`,
});

const serviceAccount = z.string().superRefine((s, ctx) => {
    const [ns, name, ...rest] = s.split("/");
    if (name === undefined) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} needs its namespace: "<namespace>/${s}"`, input: s });
    } else if (rest.length > 0 || !isDnsLabel(ns ?? "") || !isDnsLabel(name)) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not "<namespace>/<service account>"`, input: s });
    }
});

export const sourcesSchema = z
    .strictObject({
        namespaces: z.array(sourceNamespace).optional(),
        serviceAccounts: z.array(serviceAccount).optional(),
    })
    .superRefine((s, ctx) => {
        const namespaces = s.namespaces ?? [];
        if (namespaces.length === 0 && (s.serviceAccounts ?? []).length === 0) {
            ctx.addIssue({
                code: "custom",
                message: "lists no namespace and no service account: omit it, or name who may use the destination",
                input: s,
            });
        }
        if (namespaces.includes(ANY_NAMESPACE) && (namespaces.length > 1 || (s.serviceAccounts ?? []).length > 0)) {
            ctx.addIssue({
                code: "custom",
                path: ["namespaces"],
                message: `"*" already allows every workload: list nothing else beside it`,
                input: s.namespaces,
            });
        }
    });

/** Sources after validation: "*" alone in namespaces means any mesh identity. */
export interface ResolvedSources {
    readonly namespaces: string[];
    readonly serviceAccounts: string[];
}

export function resolveSources(s: z.output<typeof sourcesSchema>): ResolvedSources {
    return { namespaces: [...new Set(s.namespaces ?? [])], serviceAccounts: [...new Set(s.serviceAccounts ?? [])] };
}

/** True when the sources allow any workload. */
export function allowsAnyone(s: ResolvedSources): boolean {
    return s.namespaces.includes(ANY_NAMESPACE);
}

/** The namespaces whose workloads may use the destination (a service account's namespace included). */
export function sourceNamespaces(s: ResolvedSources): string[] {
    return [...new Set([...s.namespaces, ...s.serviceAccounts.map((sa) => sa.split("/")[0] as string)])];
}
