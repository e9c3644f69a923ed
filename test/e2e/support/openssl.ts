// Throwaway certificates made with the real openssl CLI (execFile, no shell), in a temp dir, and
// the openssl checks the TLS tests run on certificates (chain, extended key usage, SANs).

import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The openssl binary (override with OPENSSL_BIN). */
export const OPENSSL_BIN = process.env.OPENSSL_BIN ?? "openssl";

export interface OpensslResult {
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `openssl args`; resolves with its exit code and output (never rejects for a non-zero exit). */
export function runOpenssl(args: string[]): Promise<OpensslResult> {
    return new Promise((resolve, reject) => {
        execFile(OPENSSL_BIN, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error !== null && typeof error.code !== "number") {
                const hint = error.code === "ENOENT" ? " (is it installed? see scripts/system-packages.sh)" : "";
                reject(new Error(`could not run ${OPENSSL_BIN}: ${error.message}${hint}`));
                return;
            }
            resolve({ exitCode: error === null ? 0 : Number(error.code), stdout, stderr });
        });
    });
}

/** Runs `openssl args` and rejects with its output if it fails. */
export async function openssl(args: string[]): Promise<OpensslResult> {
    const r = await runOpenssl(args);
    if (r.exitCode !== 0) {
        throw new Error(`openssl ${args.join(" ")} failed (exit ${r.exitCode}):\n${r.stderr}${r.stdout}`);
    }
    return r;
}

/** Key types for throwaway keys: ECDSA P-256 is what the stack's certificates use by default. */
export type KeyType = "ec-p256" | "rsa-2048";

function newKeyArgs(keyType: KeyType): string[] {
    return keyType === "ec-p256" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"];
}

/** A certificate and its key, as files. */
export interface CertFiles {
    readonly certFile: string;
    readonly keyFile: string;
}

function subject(cn: string, o?: string): string {
    for (const v of [cn, o ?? ""]) {
        if (/[/=+,\\]/.test(v)) throw new Error(`subject value ${JSON.stringify(v)}: '/', '=', '+', ',' and '\\' are not supported`);
    }
    return `/CN=${cn}${o !== undefined ? `/O=${o}` : ""}`;
}

async function writeOpensslConfig(dir: string, name: string, extensions: string[]): Promise<string> {
    // A self-contained config: the system openssl.cnf's defaults do not leak into the certificates.
    const file = path.join(dir, `${name}.openssl.cnf`);
    await fs.promises.writeFile(file, ["[req]", "distinguished_name = dn", "[dn]", "[ext]", ...extensions, ""].join("\n"));
    return file;
}

const serial = () => `0x${crypto.randomBytes(16).toString("hex").replace(/^./, "1")}`;

export interface MakeCaOptions {
    readonly commonName: string;
    readonly organization?: string;
    readonly keyType?: KeyType;
    readonly days?: number;
}

/**
 * A self-signed CA in `dir` (`<name>.crt`, `<name>.key`): basicConstraints CA:TRUE, keyUsage
 * keyCertSign, cRLSign, digitalSignature (what the stack's CA gets).
 */
export async function makeCa(dir: string, name: string, o: MakeCaOptions): Promise<CertFiles> {
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    const config = await writeOpensslConfig(dir, name, [
        "basicConstraints = critical, CA:TRUE",
        "keyUsage = critical, keyCertSign, cRLSign, digitalSignature",
        "subjectKeyIdentifier = hash",
    ]);
    await openssl([
        "req",
        "-x509",
        "-new",
        ...newKeyArgs(o.keyType ?? "ec-p256"),
        "-nodes",
        "-config",
        config,
        "-extensions",
        "ext",
        "-subj",
        subject(o.commonName, o.organization),
        "-days",
        String(o.days ?? 2),
        "-set_serial",
        serial(),
        "-keyout",
        keyFile,
        "-out",
        certFile,
    ]);
    await fs.promises.chmod(keyFile, 0o600);
    return { certFile, keyFile };
}

export interface MakeLeafOptions {
    readonly commonName: string;
    readonly organization?: string;
    /** "server": serverAuth EKU; "client": clientAuth EKU. */
    readonly usage: "server" | "client";
    /** subjectAltName DNS names (wildcards allowed). */
    readonly dnsNames?: string[];
    readonly keyType?: KeyType;
    readonly days?: number;
    /**
     * Write the key as a "traditional" PEM (EC PRIVATE KEY / RSA PRIVATE KEY) like @pulumi/tls's
     * `privateKeyPem`, instead of PKCS#8 (PRIVATE KEY). Default false.
     */
    readonly traditionalKey?: boolean;
}

/**
 * A leaf certificate signed by `ca`, in `dir` (`<name>.crt`, `<name>.key`), with keyUsage
 * digitalSignature + keyEncipherment and the EKU of its usage (as the stack's leaf certificates).
 */
export async function makeLeaf(dir: string, name: string, ca: CertFiles, o: MakeLeafOptions): Promise<CertFiles> {
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    const csrFile = path.join(dir, `${name}.csr`);
    for (const d of o.dnsNames ?? []) {
        if (!/^(\*\.)?[A-Za-z0-9.-]+$/.test(d)) throw new Error(`dnsName ${JSON.stringify(d)} is not a DNS name`);
    }
    const config = await writeOpensslConfig(dir, name, [
        "basicConstraints = critical, CA:FALSE",
        "keyUsage = critical, digitalSignature, keyEncipherment",
        `extendedKeyUsage = ${o.usage === "server" ? "serverAuth" : "clientAuth"}`,
        ...((o.dnsNames ?? []).length > 0 ? [`subjectAltName = ${(o.dnsNames ?? []).map((d) => `DNS:${d}`).join(", ")}`] : []),
    ]);
    await openssl([
        "req",
        "-new",
        ...newKeyArgs(o.keyType ?? "ec-p256"),
        "-nodes",
        "-config",
        config,
        "-subj",
        subject(o.commonName, o.organization),
        "-keyout",
        keyFile,
        "-out",
        csrFile,
    ]);
    if (o.traditionalKey === true) {
        await openssl(["pkey", "-in", keyFile, "-traditional", "-out", `${keyFile}.traditional`]);
        await fs.promises.rename(`${keyFile}.traditional`, keyFile);
    }
    await openssl([
        "x509",
        "-req",
        "-in",
        csrFile,
        "-CA",
        ca.certFile,
        "-CAkey",
        ca.keyFile,
        "-set_serial",
        serial(),
        "-days",
        String(o.days ?? 2),
        "-extfile",
        config,
        "-extensions",
        "ext",
        "-out",
        certFile,
    ]);
    await fs.promises.chmod(keyFile, 0o600);
    return { certFile, keyFile };
}

/** `openssl verify -CAfile ca [-purpose p] cert`: exit code and output. */
export function verifyCertificate(caFile: string, certFile: string, purpose?: "sslserver" | "sslclient"): Promise<OpensslResult> {
    return runOpenssl(["verify", "-CAfile", caFile, ...(purpose !== undefined ? ["-purpose", purpose] : []), certFile]);
}

/** Values of an X.509 extension as `openssl x509 -noout -ext <name>` prints them ([] if absent). */
export async function certificateExtension(
    certFile: string,
    extension: "extendedKeyUsage" | "subjectAltName" | "keyUsage" | "basicConstraints",
): Promise<string[]> {
    const r = await openssl(["x509", "-noout", "-in", certFile, "-ext", extension]);
    return r.stdout
        .split("\n")
        .slice(1) // the "X509v3 ...:" header line
        .flatMap((l) => l.split(","))
        .map((v) => v.trim())
        .filter((v) => v !== "");
}
