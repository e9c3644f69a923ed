import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { z } from "zod";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";
import { hostPattern, oneOfEnum } from "../validation/common";
import { CertificateUsage } from "../validation/modes";
import { DEFAULT_KEY_ALGORITHM, KeyAlgorithm, keyAlgorithmSchema, privateKeyArgs } from "./keyAlgorithm";
import { CaKeyPair, caKeyPairSchema, checkRenewalWindow, commonNameSchema, nonNegativeHours, positiveHours } from "./certificateAuthority";

/**
 * What a leaf certificate is for (plain strings in args):
 * - "SERVER": a TLS server (e.g. the external `my-nginx.mesh-external.svc.cluster.local`); DNS SANs required.
 * - "CLIENT": a client certificate the egress gateway presents for MUTUAL origination (e.g. `client.example.com`).
 */
export { CertificateUsage };

/** Key usages per certificate usage. */
export const LEAF_ALLOWED_USES: Readonly<Record<CertificateUsage, readonly string[]>> = {
    SERVER: ["digital_signature", "key_encipherment", "server_auth"],
    CLIENT: ["digital_signature", "key_encipherment", "client_auth"],
};

/** Validity of a leaf certificate when not set: 90 days. */
export const DEFAULT_LEAF_VALIDITY_HOURS = 2160;
/** Early-renewal window of a leaf certificate when not set: 15 days. */
export const DEFAULT_LEAF_EARLY_RENEWAL_HOURS = 360;

export interface LeafCertificateArgs {
    /**
     * The signing CA's certificate and private key (Inputs). A `CertificateAuthority` has this shape and can
     * be passed as is.
     */
    readonly ca: CaKeyPair;
    /** Subject common name, e.g. "my-nginx.mesh-external.svc.cluster.local" or "client.example.com". */
    readonly commonName: string;
    /** "SERVER" or "CLIENT": decides the extended key usage and whether DNS names are required. */
    readonly usage: CertificateUsage;
    /**
     * DNS subject alternative names (wildcards such as "*.example.com" allowed).
     * Default: [commonName] for "SERVER"; none for "CLIENT".
     */
    readonly dnsNames?: string[];
    /** Subject organization, e.g. "client organization". */
    readonly organization?: string;
    /** "ECDSA_P256", "RSA_2048" or "RSA_4096". Default: "ECDSA_P256". */
    readonly keyAlgorithm?: KeyAlgorithm;
    /** Validity in hours. Default: 2160 (90 days). */
    readonly validityHours?: number;
    /**
     * Hours before expiry at which `pulumi up` re-signs the certificate. The new certificate is created
     * before the old one is deleted (`deleteBeforeReplace: false`), and an SdsCredential holding it is
     * updated in place, so Istio's SDS pushes it to the gateway without a restart. Default: 360 (15 days).
     */
    readonly earlyRenewalHours?: number;
}

/** A leaf certificate's subject, key and validity: what any issued certificate has. */
export const certificateSubjectFields = {
    commonName: commonNameSchema,
    organization: z.string().min(1, { error: '"" is empty: leave organization out instead' }).optional(),
    keyAlgorithm: keyAlgorithmSchema.optional(),
    validityHours: positiveHours.default(DEFAULT_LEAF_VALIDITY_HOURS),
    earlyRenewalHours: nonNegativeHours.default(DEFAULT_LEAF_EARLY_RENEWAL_HOURS),
};

const leafFields = {
    ...certificateSubjectFields,
    usage: oneOfEnum(CertificateUsage),
    dnsNames: z.array(hostPattern).optional(),
};

type LeafFields = z.output<z.ZodObject<typeof leafFields>>;

/** The rules of a leaf certificate beyond its fields (renewal window, a SERVER's DNS names). */
export function checkLeaf(a: LeafFields, ctx: z.RefinementCtx): void {
    checkRenewalWindow(a, ctx);
    if (a.usage !== "SERVER") {
        return;
    }
    if (a.dnsNames === undefined) {
        // The default SAN is the common name, so it has to be a DNS name.
        const check = hostPattern.safeParse(a.commonName);
        if (!check.success) {
            ctx.addIssue({
                code: "custom",
                path: ["commonName"],
                input: a.commonName,
                message: `${check.error.issues[0]?.message ?? `${JSON.stringify(a.commonName)} is not a DNS name`}; a SERVER certificate without dnsNames uses its commonName as DNS name`,
            });
        }
    } else if (a.dnsNames.length === 0) {
        ctx.addIssue({
            code: "custom",
            path: ["dnsNames"],
            input: a.dnsNames,
            message: "[] is empty: a SERVER certificate needs at least one DNS name (clients verify the server against it)",
        });
    }
}

export const leafCertificateArgsSchema = z.strictObject({ ca: caKeyPairSchema, ...leafFields }).superRefine(checkLeaf);

const _argsMatchSchema: Accepts<typeof leafCertificateArgsSchema, LeafCertificateArgs> = true;
void _argsMatchSchema;

export type ValidLeafCertificateArgs = z.output<typeof leafCertificateArgsSchema>;

/** The DNS SANs a validated leaf gets. */
export function leafDnsNames(a: Pick<ValidLeafCertificateArgs, "usage" | "dnsNames" | "commonName">): string[] {
    return a.dnsNames ?? (a.usage === "SERVER" ? [a.commonName] : []);
}

/**
 * A server or client certificate signed by a CA: `tls.PrivateKey` (`<name>-key`), `tls.CertRequest`
 * (`<name>-csr`) and `tls.LocallySignedCert` (`<name>-cert`).
 *
 * Rotation without downtime: when `earlyRenewalHours` is reached, `pulumi up` replaces the certificate
 * create-before-delete (`deleteBeforeReplace: false`, Pulumi's default); the key is kept. Feed the outputs
 * to an `SdsCredential`: its Secret is updated in place and Istio's SDS delivers the new certificate.
 */
export class LeafCertificate extends pulumi.ComponentResource {
    /** The certificate, PEM-encoded (public). */
    public readonly certificatePem: pulumi.Output<string>;
    /** The certificate's private key, PEM-encoded. Always a Pulumi secret. */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** The signing CA's certificate, PEM-encoded: what a peer needs as `ca.crt` to verify this certificate. */
    public readonly caCertificatePem: pulumi.Output<string>;
    /** When the certificate expires (RFC 3339). */
    public readonly expiresAt: pulumi.Output<string>;
    /** "SERVER" or "CLIENT". */
    public readonly usage: string;
    /** The DNS subject alternative names. */
    public readonly dnsNames: string[];
    /** The key's algorithm, e.g. "ECDSA_P256". */
    public readonly keyAlgorithm: string;

    constructor(name: string, args: LeafCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.LeafCertificate, name, {}, opts);
        const a = validateArgs(leafCertificateArgsSchema, args, this);
        this.usage = a.usage;
        this.dnsNames = leafDnsNames(a);
        const algorithm = a.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
        this.keyAlgorithm = algorithm;

        const key = new tls.PrivateKey(childName(name, "key"), privateKeyArgs(algorithm), {
            parent: this,
            additionalSecretOutputs: ["privateKeyPem"],
        });
        const csr = new tls.CertRequest(
            childName(name, "csr"),
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: a.commonName, organization: a.organization },
                dnsNames: this.dnsNames.length > 0 ? this.dnsNames : undefined,
            },
            { parent: this },
        );
        const cert = new tls.LocallySignedCert(
            childName(name, "cert"),
            {
                certRequestPem: csr.certRequestPem,
                caCertPem: a.ca.certificatePem,
                caPrivateKeyPem: pulumi.secret(a.ca.privateKeyPem),
                allowedUses: [...LEAF_ALLOWED_USES[a.usage]],
                validityPeriodHours: a.validityHours,
                earlyRenewalHours: a.earlyRenewalHours,
            },
            { parent: this, deleteBeforeReplace: false },
        );

        this.certificatePem = cert.certPem;
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.caCertificatePem = pulumi.output(a.ca.certificatePem);
        this.expiresAt = cert.validityEndTime;
        this.registerOutputs({
            certificatePem: this.certificatePem,
            privateKeyPem: this.privateKeyPem,
            caCertificatePem: this.caCertificatePem,
            expiresAt: this.expiresAt,
        });
    }
}
