import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { z } from "zod";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";
import { DEFAULT_KEY_ALGORITHM, KeyAlgorithm, keyAlgorithmSchema, privateKeyArgs } from "./keyAlgorithm";

// ---------------------------------------------------------------------------------------------
// Schema pieces shared by the certificate components (CertificateAuthority, LeafCertificate).

/** A validity period in hours: a whole number, at least 1. */
export const positiveHours = z
    .number()
    .int({ error: (iss) => `${JSON.stringify(iss.input)} is not a whole number of hours` })
    .min(1, { error: (iss) => `${JSON.stringify(iss.input)} must be at least 1 hour` });
/** An early-renewal window in hours: a whole number, 0 or more. */
export const nonNegativeHours = z
    .number()
    .int({ error: (iss) => `${JSON.stringify(iss.input)} is not a whole number of hours` })
    .min(0, { error: (iss) => `${JSON.stringify(iss.input)} must not be negative` });

/** RFC 5280's upper bound on a subject common name. */
export const MAX_COMMON_NAME_LENGTH = 64;

/** A certificate subject's common name: non-empty, at most 64 characters. */
export const commonNameSchema = z
    .string()
    .min(1, { error: '"" is empty: a certificate needs a common name' })
    .refine((s) => s.length <= MAX_COMMON_NAME_LENGTH, {
        error: (iss) =>
            `${JSON.stringify(iss.input)} is longer than ${MAX_COMMON_NAME_LENGTH} characters (the RFC 5280 limit on a common name)`,
    });

function isInputLike(v: unknown): boolean {
    return pulumi.Output.isInstance(v) || (typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function");
}

/**
 * A PEM value given as a `pulumi.Input<string>`. A plain certificate string is checked for a PEM header;
 * a private key's content is never checked, so that no error message can quote it.
 */
export function pemInput(kind: "certificate" | "private key") {
    return z.custom<pulumi.Input<string>>(
        (v) => {
            if (typeof v === "string") {
                return v.length > 0 && (kind !== "certificate" || v.includes("-----BEGIN CERTIFICATE-----"));
            }
            return isInputLike(v);
        },
        {
            error: (iss) => {
                const v = iss.input;
                if (v === "") {
                    return `"" is empty: expected a PEM-encoded ${kind}`;
                }
                if (typeof v === "string") {
                    return `is not a PEM-encoded ${kind} (no "-----BEGIN CERTIFICATE-----" line)`;
                }
                return `expected a PEM-encoded ${kind} as a string or pulumi Output`;
            },
        },
    );
}

/** Adds an issue when the early-renewal window is not shorter than the validity period. */
export function checkRenewalWindow(a: { validityHours: number; earlyRenewalHours: number }, ctx: z.RefinementCtx): void {
    if (a.earlyRenewalHours >= a.validityHours) {
        ctx.addIssue({
            code: "custom",
            path: ["earlyRenewalHours"],
            message: `${a.earlyRenewalHours} must be less than validityHours (${a.validityHours}), or the certificate would be renewed on every update`,
            input: a.earlyRenewalHours,
        });
    }
}

/** A CA's certificate and private key, as a signer needs them. A `CertificateAuthority` has this shape. */
export interface CaKeyPair {
    /** The CA certificate, PEM-encoded. */
    readonly certificatePem: pulumi.Input<string>;
    /** The CA private key, PEM-encoded (kept secret). */
    readonly privateKeyPem: pulumi.Input<string>;
}

/** Schema of a CA key pair. Not strict, so that a `CertificateAuthority` itself can be passed. */
export const caKeyPairSchema = z.object({
    certificatePem: pemInput("certificate"),
    privateKeyPem: pemInput("private key"),
});

// ---------------------------------------------------------------------------------------------

/** Validity of a generated CA certificate when not set: one year. */
export const DEFAULT_CA_VALIDITY_HOURS = 8760;
/** Early-renewal window of a generated CA certificate when not set: 30 days. */
export const DEFAULT_CA_EARLY_RENEWAL_HOURS = 720;
/** Key usages of a generated CA certificate. */
export const CA_ALLOWED_USES = ["cert_signing", "crl_signing", "digital_signature"] as const;

/** A certificate authority: generated in the stack, or an existing key pair. */
export interface CertificateAuthorityOptions {
    /** Subject common name of a generated CA, e.g. "example.com". Required unless `existing` is set. */
    readonly commonName?: string;
    /** Subject organization of a generated CA, e.g. "example Inc.". */
    readonly organization?: string;
    /** Key algorithm of a generated CA: "ECDSA_P256", "RSA_2048" or "RSA_4096". Default: "ECDSA_P256". */
    readonly keyAlgorithm?: KeyAlgorithm;
    /** Validity of a generated CA certificate, in hours. Default: 8760 (one year). */
    readonly validityHours?: number;
    /**
     * Hours before expiry at which `pulumi up` replaces a generated CA certificate. The new certificate
     * is created before the old one is deleted; every leaf it signed is then re-signed. Default: 720 (30 days).
     */
    readonly earlyRenewalHours?: number;
    /**
     * Bring your own CA instead of generating one: its certificate and private key, PEM-encoded.
     * Both are handled as Pulumi secrets. No other field may be set with it.
     */
    readonly existing?: CaKeyPair;
}

/** Args of CertificateAuthority. */
export interface CertificateAuthorityArgs extends CertificateAuthorityOptions {}

const GENERATED_ONLY = ["commonName", "organization", "keyAlgorithm", "validityHours", "earlyRenewalHours"] as const;

export const certificateAuthorityArgsSchema = z
    .strictObject({
        commonName: commonNameSchema.optional(),
        organization: z.string().min(1, { error: '"" is empty: leave organization out instead' }).optional(),
        keyAlgorithm: keyAlgorithmSchema.optional(),
        validityHours: positiveHours.optional(),
        earlyRenewalHours: nonNegativeHours.optional(),
        existing: caKeyPairSchema.optional(),
    })
    .superRefine((a, ctx) => {
        if (a.existing) {
            for (const field of GENERATED_ONLY) {
                if (a[field] !== undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path: [field],
                        input: a[field],
                        message: `${JSON.stringify(a[field])} is only used for a generated CA: remove it, or remove existing`,
                    });
                }
            }
            return;
        }
        if (a.commonName === undefined) {
            ctx.addIssue({ code: "custom", path: ["commonName"], input: undefined, message: "is required unless existing is given" });
        }
        checkRenewalWindow(
            {
                validityHours: a.validityHours ?? DEFAULT_CA_VALIDITY_HOURS,
                earlyRenewalHours: a.earlyRenewalHours ?? DEFAULT_CA_EARLY_RENEWAL_HOURS,
            },
            ctx,
        );
    });

const _argsMatchSchema: Accepts<typeof certificateAuthorityArgsSchema, CertificateAuthorityArgs> = true;
void _argsMatchSchema;

/**
 * A certificate authority for TLS origination: the CA whose certificate goes into an SDS credential's
 * `ca.crt` (to verify the external server) and which signs server and client leaf certificates.
 *
 * Generated: a `tls.PrivateKey` (`<name>-ca-key`) and a self-signed `tls.SelfSignedCert` (`<name>-ca-cert`)
 * with `isCaCertificate: true`. Both live only in Pulumi state (encrypted as secrets), never on disk.
 * Renewal (`earlyRenewalHours`) replaces the certificate create-before-delete (`deleteBeforeReplace: false`),
 * keeping the same key; leaves signed by it are re-signed on the same update.
 *
 * Bring your own: `existing` takes a certificate and key from elsewhere (config secrets, a vault); no
 * TLS resource is created and `expiresAt` is undefined.
 */
export class CertificateAuthority extends pulumi.ComponentResource {
    /** The CA certificate, PEM-encoded (public). */
    public readonly certificatePem: pulumi.Output<string>;
    /** The CA private key, PEM-encoded. Always a Pulumi secret. */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** When the generated CA certificate expires (RFC 3339); undefined for an `existing` CA. */
    public readonly expiresAt: pulumi.Output<string> | undefined;
    /** The generated CA key's algorithm, e.g. "ECDSA_P256"; undefined for an `existing` CA. */
    public readonly keyAlgorithm: string | undefined;

    constructor(name: string, args: CertificateAuthorityArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.CertificateAuthority, name, {}, opts);
        const a = validateArgs(certificateAuthorityArgsSchema, args, this);

        if (a.existing) {
            this.certificatePem = pulumi.output(a.existing.certificatePem);
            this.privateKeyPem = pulumi.secret(a.existing.privateKeyPem);
            this.expiresAt = undefined;
            this.keyAlgorithm = undefined;
        } else {
            const algorithm = a.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
            const key = new tls.PrivateKey(childName(name, "ca", "key"), privateKeyArgs(algorithm), {
                parent: this,
                additionalSecretOutputs: ["privateKeyPem"],
            });
            const cert = new tls.SelfSignedCert(
                childName(name, "ca", "cert"),
                {
                    privateKeyPem: key.privateKeyPem,
                    isCaCertificate: true,
                    allowedUses: [...CA_ALLOWED_USES],
                    subject: { commonName: a.commonName, organization: a.organization },
                    validityPeriodHours: a.validityHours ?? DEFAULT_CA_VALIDITY_HOURS,
                    earlyRenewalHours: a.earlyRenewalHours ?? DEFAULT_CA_EARLY_RENEWAL_HOURS,
                },
                { parent: this, deleteBeforeReplace: false },
            );
            this.certificatePem = cert.certPem;
            this.privateKeyPem = pulumi.secret(key.privateKeyPem);
            this.expiresAt = cert.validityEndTime;
            this.keyAlgorithm = algorithm;
        }
        this.registerOutputs({ certificatePem: this.certificatePem, privateKeyPem: this.privateKeyPem, expiresAt: this.expiresAt });
    }
}
