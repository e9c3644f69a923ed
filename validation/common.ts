import { z } from "zod";
import { isIP } from "node:net";

// Building blocks shared by every component's schema. Messages quote the value so that the
// formatted error names both the field and what was wrong with it.

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True for a DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters. */
export function isDnsLabel(s: string): boolean {
    return s.length <= 63 && LABEL.test(s);
}

/** True for a DNS-1123 subdomain (dot-separated labels, at most 253 characters). */
export function isDnsSubdomain(s: string): boolean {
    return s.length > 0 && s.length <= 253 && s.split(".").every(isDnsLabel);
}

/** A Kubernetes object or namespace name (DNS-1123 label). */
export const dnsLabel = z.string().refine(isDnsLabel, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a valid name (lowercase letters, digits and '-', at most 63 characters)`,
});

/** A Kubernetes namespace. */
export const namespaceName = dnsLabel;

/** A TCP/UDP port number. */
export const portNumber = z
    .number({ error: (iss) => `${JSON.stringify(iss.input)} is not a port number` })
    .int({ error: (iss) => `${JSON.stringify(iss.input)} is not a port number` })
    .min(1, { error: (iss) => `${JSON.stringify(iss.input)} is out of range 1-65535` })
    .max(65535, { error: (iss) => `${JSON.stringify(iss.input)} is out of range 1-65535` });

/** True for an exact external host name such as `edition.cnn.com`. */
export function isExactHost(s: string): boolean {
    return isDnsSubdomain(s) && s.includes(".") && isIP(s) === 0;
}

/** True for a host or a leading-label wildcard such as `*.wikipedia.org`. */
export function isHostPattern(s: string): boolean {
    return s.startsWith("*.") ? isExactHost(s.slice(2)) || isDnsLabel(s.slice(2)) : isExactHost(s);
}

export function isWildcard(host: string): boolean {
    return host.startsWith("*.");
}

function hostProblem(s: string): string | undefined {
    if (isIP(s) !== 0) {
        return `${JSON.stringify(s)} is an IP address; hosts must be DNS names (use an external proxy's addresses for IPs)`;
    }
    if (s === "*" || (s.includes("*") && !s.startsWith("*."))) {
        return `${JSON.stringify(s)} is not a supported wildcard: only a leading "*." label is allowed, as in "*.example.com"`;
    }
    if (s.indexOf("*", 1) !== -1) {
        return `${JSON.stringify(s)} has more than one wildcard: only a leading "*." label is allowed`;
    }
    if (!isHostPattern(s)) {
        return `${JSON.stringify(s)} is not a valid host name (lowercase DNS name with at least one dot, e.g. "api.example.com")`;
    }
    if (isWildcard(s) && !s.slice(2).includes(".")) {
        return `${JSON.stringify(s)} covers a whole top-level domain: name the domain, as in "*.example.com"`;
    }
    if (isWildcard(s) && (s === "*.cluster.local" || s.endsWith(".cluster.local"))) {
        return `${JSON.stringify(s)} covers the cluster's own services: egress destinations are outside the cluster, or exact service hosts`;
    }
    return undefined;
}

/** An external host or wildcard host (`*.example.com`). */
export const hostPattern = z.string().superRefine((s, ctx) => {
    const problem = hostProblem(s);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem, input: s });
    }
});

/** An exact (non-wildcard) external host. */
export const exactHost = z.string().superRefine((s, ctx) => {
    const problem = hostProblem(s) ?? (isWildcard(s) ? `${JSON.stringify(s)} must be an exact host, not a wildcard` : undefined);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem, input: s });
    }
});

/** The address as a number (IPv4: 32 bits, IPv6: 128 bits). */
function ipBits(ip: string): bigint {
    if (isIP(ip) === 4) {
        return ip.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
    }
    const [head = "", tail = ""] = ip.split("::");
    const groups = (part: string) => (part === "" ? [] : part.split(":"));
    const h = groups(head);
    const t = groups(tail);
    const all = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
    return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Cloud instance metadata endpoints: never an egress destination or an allowed address. */
const METADATA_ADDRESSES = ["169.254.169.254", "fd00:ec2::254"];

/** What is wrong with an address or CIDR as an egress target, or undefined. */
function addressProblem(s: string, allowPrefix: boolean): string | undefined {
    const [ip, prefix, ...rest] = s.split("/");
    const family = isIP(ip ?? "");
    const max = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (allowPrefix && /^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (family === 0 || !prefixOk || rest.length > 0) {
        return `${JSON.stringify(s)} is not an IP address${allowPrefix ? " or CIDR block" : ""}`;
    }
    const bits = prefix === undefined ? max : Number(prefix);
    if (bits === 0 || ipBits(ip as string) === 0n) {
        return `${JSON.stringify(s)} is every address: name the proxy's or service's own addresses`;
    }
    const hostMask = (1n << BigInt(max - bits)) - 1n;
    if ((ipBits(ip as string) & hostMask) !== 0n) {
        return `${JSON.stringify(s)} has host bits set: the block is ${ip === undefined ? "" : "its network address"}/${bits}`;
    }
    const metadata = METADATA_ADDRESSES.find(
        (m) => isIP(m) === family && (ipBits(m) & ~hostMask & ((1n << BigInt(max)) - 1n)) === ipBits(ip as string),
    );
    if (metadata) {
        return `${JSON.stringify(s)} ${bits === max ? "is" : "contains"} the cloud metadata address ${metadata}, which must never be reachable as egress`;
    }
    return undefined;
}

/** An IPv4/IPv6 address, or a CIDR block of either (not everything, no host bits, no metadata address). */
export const ipOrCidr = z.string().superRefine((s, ctx) => {
    const problem = addressProblem(s, true);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem, input: s });
    }
});

/** An IPv4/IPv6 address (no prefix; not unspecified, not the metadata address). */
export const ipAddress = z.string().superRefine((s, ctx) => {
    const problem = addressProblem(s, false);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem, input: s });
    }
});

/** One of a documented set of strings (component args stay plain strings for multi-language schemas). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, {
        error: (iss) => `${JSON.stringify(iss.input)} is not one of ${values.map((v) => `"${v}"`).join(", ")}`,
    });
}

/** One of an enum object's values (`{ Simple: "SIMPLE", ... } as const`), as oneOf. */
export function oneOfEnum<const T extends Readonly<Record<string, string>>>(values: T) {
    const shown = Object.values(values)
        .map((v) => `"${v}"`)
        .join(", ");
    return z.enum(values, { error: (iss) => `${JSON.stringify(iss.input)} is not one of ${shown}` });
}

/** A list that must hold at least one item. */
export function nonEmptyList<T extends z.ZodType>(item: T, what: string) {
    return z.array(item).min(1, { error: `needs at least one ${what}` });
}

/** A non-empty list of distinct strings; a repeated entry is reported at its index. */
export function uniqueList<T extends z.ZodType<string>>(item: T, what: string) {
    return nonEmptyList(item, what).superRefine((list, ctx) =>
        checkUnique(
            list as string[],
            (x) => x,
            ctx,
            (i) => [i],
            what,
        ),
    );
}

/** Kubernetes label map: keys and values as the API server accepts them. */
export const labelMap = z.record(
    z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
        error: (iss) => `${JSON.stringify(iss.input)} is not a valid label key`,
    }),
    z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, {
        error: (iss) => `${JSON.stringify(iss.input)} is not a valid label value`,
    }),
);

/** Reports every value that occurs more than once in `items` (by `key`), at `path(index)`. */
export function checkUnique<T>(
    items: readonly T[],
    key: (item: T) => string | undefined,
    ctx: z.RefinementCtx,
    path: (index: number) => PropertyKey[],
    what: string,
): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
        const k = key(item);
        if (k === undefined) {
            return;
        }
        const first = seen.get(k);
        if (first !== undefined) {
            ctx.addIssue({ code: "custom", path: path(i), message: `duplicate ${what} ${JSON.stringify(k)} (also at index ${first})` });
        } else {
            seen.set(k, i);
        }
    });
}

/**
 * Istio's exportTo: "." (the object's namespace), "*" (every namespace), "~" (none) or
 * namespace names; Istio rejects "*" or "~" beside anything else.
 */
export const exportToSchema = z
    .array(
        z.string().refine((s) => s === "." || s === "*" || s === "~" || isDnsLabel(s), {
            error: (iss) => `${JSON.stringify(iss.input)} is not ".", "*", "~" or a namespace name`,
        }),
    )
    .superRefine((list, ctx) => {
        for (const special of ["*", "~"]) {
            if (list.includes(special) && list.length > 1) {
                ctx.addIssue({
                    code: "custom",
                    message: `${JSON.stringify(special)} cannot be combined with other entries (${JSON.stringify(list)})`,
                    input: list,
                });
            }
        }
        checkUnique(
            list,
            (x) => x,
            ctx,
            (i) => [i],
            "exportTo entry",
        );
    });
