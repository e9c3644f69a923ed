// Istio's naming rules for SDS credential Secrets, shared by the credentials the stack issues
// (certs/sdsCredential.ts) and the credentialName a destination refers to (validation/destinations.ts).

/** Secret name prefixes Istio does not serve over SDS. */
export const SDS_RESERVED_PREFIXES = ["istio", "prometheus"] as const;
/** Suffix Istio requires on a CA-only credential's name (`<credentialName>-cacert`). */
export const SDS_CA_ONLY_SUFFIX = "-cacert";

/** The reserved prefix a Secret name starts with, if any. */
export function reservedSdsPrefix(name: string): string | undefined {
    return SDS_RESERVED_PREFIXES.find((p) => name.startsWith(p));
}
