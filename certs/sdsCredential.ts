import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";
import { isDnsSubdomain, labelMap, namespaceName } from "../validation/common";
import { managedLabels } from "../istio/labels";
import { pemInput } from "./certificateAuthority";
import { reservedSdsPrefix, SDS_CA_ONLY_SUFFIX } from "../validation/sdsNames";

export { SDS_CA_ONLY_SUFFIX, SDS_RESERVED_PREFIXES } from "../validation/sdsNames";
/** A key an SDS credential Secret must not contain (Istio takes it for a service-account token Secret). */
export const SDS_FORBIDDEN_KEY = "token";
/** The Secret keys Istio's SDS reads from a generic Secret. */
export const SDS_KEYS = {
    certificate: "tls.crt",
    privateKey: "tls.key",
    caCertificate: "ca.crt",
} as const;

/** How a DestinationRule uses the credential: "MUTUAL" (client certificate + CA) or "SIMPLE" (CA only). */
export type SdsCredentialMode = "SIMPLE" | "MUTUAL";

/**
 * Everything wrong with an SDS credential Secret name, as messages that quote the name; empty when fine.
 * Rules (Istio): a DNS-1123 subdomain; no "istio" or "prometheus" prefix; a CA-only credential's name ends
 * with "-cacert", and a MUTUAL one's does not (Istio would read it as CA-only).
 */
export function sdsCredentialProblems(name: string, hasClientCertificate: boolean): string[] {
    const shown = JSON.stringify(name);
    const problems: string[] = [];
    if (!isDnsSubdomain(name)) {
        problems.push(`${shown} is not a valid Secret name (lowercase letters, digits, '-' and '.', at most 253 characters)`);
    }
    const prefix = reservedSdsPrefix(name);
    if (prefix !== undefined) {
        problems.push(`${shown} starts with "${prefix}": Istio does not serve Secrets named "istio*" or "prometheus*" over SDS`);
    }
    if (!hasClientCertificate && !name.endsWith(SDS_CA_ONLY_SUFFIX)) {
        problems.push(
            `${shown} must end with "${SDS_CA_ONLY_SUFFIX}" for a CA-only credential (no certificatePem/privateKeyPem), e.g. "${name}${SDS_CA_ONLY_SUFFIX}"`,
        );
    }
    if (hasClientCertificate && name.endsWith(SDS_CA_ONLY_SUFFIX)) {
        problems.push(
            `${shown} ends with "${SDS_CA_ONLY_SUFFIX}", which Istio reserves for CA-only credentials; a MUTUAL credential needs another name`,
        );
    }
    return problems;
}

/** The Secret keys a credential holds: `tls.crt`, `tls.key`, `ca.crt` for MUTUAL; `ca.crt` for SIMPLE. */
export function sdsCredentialKeys(mode: SdsCredentialMode): string[] {
    return mode === "MUTUAL" ? [SDS_KEYS.certificate, SDS_KEYS.privateKey, SDS_KEYS.caCertificate] : [SDS_KEYS.caCertificate];
}

/**
 * The Secret's `stringData` for a credential: `ca.crt`, plus `tls.crt` and `tls.key` when both are given.
 * Always a Pulumi secret, so neither the key nor the certificates show in plain text in state or previews.
 */
export function sdsCredentialStringData(a: {
    caCertificatePem: pulumi.Input<string>;
    certificatePem?: pulumi.Input<string>;
    privateKeyPem?: pulumi.Input<string>;
}): pulumi.Output<Record<string, string>> {
    const data: Record<string, pulumi.Input<string>> = { [SDS_KEYS.caCertificate]: a.caCertificatePem };
    if (a.certificatePem !== undefined && a.privateKeyPem !== undefined) {
        data[SDS_KEYS.certificate] = a.certificatePem;
        data[SDS_KEYS.privateKey] = a.privateKeyPem;
    }
    return pulumi.secret(pulumi.output(data));
}

export interface SdsCredentialArgs {
    /**
     * Name of the Secret, used as `credentialName` in the DestinationRule, e.g. "client-credential"
     * (MUTUAL) or "client-credential-cacert" (CA-only). Must not start with "istio" or "prometheus".
     */
    readonly name: string;
    /** Namespace of the Secret: the egress gateway's namespace, where Istio's SDS looks for it. */
    readonly namespace: string;
    /** CA certificate that verifies the external server, PEM-encoded (`ca.crt`). */
    readonly caCertificatePem: pulumi.Input<string>;
    /** Client certificate, PEM-encoded (`tls.crt`). With privateKeyPem: a MUTUAL credential. */
    readonly certificatePem?: pulumi.Input<string>;
    /** Client private key, PEM-encoded (`tls.key`). Set together with certificatePem. */
    readonly privateKeyPem?: pulumi.Input<string>;
    /** Extra labels on the Secret. */
    readonly labels?: Record<string, string>;
}

export const sdsCredentialArgsSchema = z
    .strictObject({
        name: z.string(),
        namespace: namespaceName,
        caCertificatePem: pemInput("certificate"),
        certificatePem: pemInput("certificate").optional(),
        privateKeyPem: pemInput("private key").optional(),
        labels: labelMap.optional(),
    })
    .superRefine((a, ctx) => {
        const hasCert = a.certificatePem !== undefined;
        const hasKey = a.privateKeyPem !== undefined;
        if (hasCert && !hasKey) {
            ctx.addIssue({
                code: "custom",
                path: ["privateKeyPem"],
                input: undefined,
                message: "is required when certificatePem is given: set both (MUTUAL) or neither (CA-only)",
            });
            return;
        }
        if (hasKey && !hasCert) {
            ctx.addIssue({
                code: "custom",
                path: ["certificatePem"],
                input: undefined,
                message: "is required when privateKeyPem is given: set both (MUTUAL) or neither (CA-only)",
            });
            return;
        }
        for (const message of sdsCredentialProblems(a.name, hasCert)) {
            ctx.addIssue({ code: "custom", path: ["name"], input: a.name, message });
        }
    });

const _argsMatchSchema: Accepts<typeof sdsCredentialArgsSchema, SdsCredentialArgs> = true;
void _argsMatchSchema;

/**
 * A Kubernetes Secret that Istio's egress gateway reads over SDS for TLS origination (`credentialName`
 * in a DestinationRule). One generic (`Opaque`) Secret, in the gateway's namespace:
 * - MUTUAL (certificatePem and privateKeyPem set): keys `tls.crt`, `tls.key`, `ca.crt`;
 * - CA-only, for SIMPLE (neither set): key `ca.crt`, and the name ends with "-cacert".
 * Never a `token` key. The contents are Pulumi secrets. A renewed certificate updates the Secret in place
 * and the gateway picks it up over SDS without a restart.
 */
export class SdsCredential extends pulumi.ComponentResource {
    /** The Secret's name: the DestinationRule's `credentialName`. */
    public readonly secretName: pulumi.Output<string>;
    /** The Secret's namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** "MUTUAL" (client certificate and CA) or "SIMPLE" (CA only): the DestinationRule's TLS mode. */
    public readonly mode: string;
    /** The Secret itself, e.g. for `dependsOn` from the DestinationRule that names it. */
    public readonly secret: k8s.core.v1.Secret;

    constructor(name: string, args: SdsCredentialArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.SdsCredential, name, {}, opts);
        const a = validateArgs(sdsCredentialArgsSchema, args, this);
        this.mode = a.certificatePem !== undefined ? "MUTUAL" : "SIMPLE";

        this.secret = new k8s.core.v1.Secret(
            childName(name, "secret"),
            {
                metadata: {
                    name: a.name,
                    namespace: a.namespace,
                    labels: { ...a.labels, ...managedLabels("SdsCredential") },
                },
                type: "Opaque",
                stringData: sdsCredentialStringData(a),
            },
            { parent: this, additionalSecretOutputs: ["data", "stringData"] },
        );

        this.secretName = this.secret.metadata.name;
        this.namespace = this.secret.metadata.namespace;
        this.registerOutputs({ secretName: this.secretName, namespace: this.namespace, mode: this.mode });
    }
}
