// Real curl for end-to-end tests, run with execFile (no shell). Never throws for a non-zero curl
// exit code: tests assert on refusals. Traffic stays on 127.0.0.0/8: the URL's host must be a
// loopback IPv4 literal or be pinned to one with `resolve`/`connectTo`.

import { execFile } from "node:child_process";
import { assertLoopbackV4, isLoopbackV4 } from "./processes";

/** The curl binary (override with CURL_BIN). */
export const CURL_BIN = process.env.CURL_BIN ?? "curl";

export interface CurlOptions {
    readonly url: string;
    /** `--resolve host:port:address` entries; addresses must be in 127.0.0.0/8. */
    readonly resolve?: string[];
    /** `--connect-to host:port:connect-host:connect-port` entries; connect-host must be in 127.0.0.0/8. */
    readonly connectTo?: string[];
    /** `--cacert`: the only CAs trusted for the server certificate. */
    readonly cacert?: string;
    /** `--cert`: client certificate (PEM). */
    readonly cert?: string;
    /** `--key`: client private key (PEM). */
    readonly key?: string;
    /** `--max-time` in seconds (default 30). */
    readonly maxTimeSeconds?: number;
    /** `--connect-timeout` in seconds (default 10). */
    readonly connectTimeoutSeconds?: number;
    /** More arguments, placed before the URL. */
    readonly extraArgs?: string[];
}

export interface CurlResult {
    /** curl's exit code: 0 ok, 35 TLS handshake failed, 56 receive failure, 60 server certificate not verified... */
    readonly exitCode: number;
    /** The response body. */
    readonly stdout: string;
    /** curl's error messages (`-sS`: only errors). */
    readonly stderr: string;
    /** HTTP status of the response, undefined when none was received. */
    readonly httpCode: number | undefined;
    /** The arguments curl was run with. */
    readonly args: string[];
}

const MARKER = "__e2e_curl_http_code=";

function checkLoopback(o: CurlOptions): void {
    const pinned = new Set<string>();
    for (const r of o.resolve ?? []) {
        const m = /^(\*|[^:]+):(\d+):(.+)$/.exec(r);
        if (m === null) throw new Error(`--resolve ${r}: expected host:port:address`);
        for (const a of m[3].split(",")) assertLoopbackV4(a.replace(/^\[|\]$/g, ""), `--resolve ${r} address`);
        pinned.add(m[1].toLowerCase());
    }
    for (const c of o.connectTo ?? []) {
        const m = /^([^:]*):(\d*):([^:]+):(\d*)$/.exec(c);
        if (m === null) throw new Error(`--connect-to ${c}: expected host:port:connect-host:connect-port`);
        assertLoopbackV4(m[3], `--connect-to ${c} connect-host`);
        pinned.add(m[1] === "" ? "*" : m[1].toLowerCase());
    }
    const host = new URL(o.url).hostname.toLowerCase();
    if (!isLoopbackV4(host) && !pinned.has(host) && !pinned.has("*")) {
        throw new Error(`curl ${o.url}: ${host} is not a 127.0.0.0/8 literal and no --resolve/--connect-to pins it to loopback`);
    }
}

/** The curl arguments for `o` (exported for messages and debugging). */
export function curlArgs(o: CurlOptions): string[] {
    return [
        "-q", // first: ignore ~/.curlrc
        "-sS",
        "--noproxy",
        "*", // never through a proxy from the environment
        "--max-time",
        String(o.maxTimeSeconds ?? 30),
        "--connect-timeout",
        String(o.connectTimeoutSeconds ?? 10),
        "--write-out",
        `%{stderr}\n${MARKER}%{http_code}\n`,
        ...(o.resolve ?? []).flatMap((r) => ["--resolve", r]),
        ...(o.connectTo ?? []).flatMap((c) => ["--connect-to", c]),
        ...(o.cacert !== undefined ? ["--cacert", o.cacert] : []),
        ...(o.cert !== undefined ? ["--cert", o.cert] : []),
        ...(o.key !== undefined ? ["--key", o.key] : []),
        ...(o.extraArgs ?? []),
        "--",
        o.url,
    ];
}

/**
 * Runs curl and returns its exit code, body and error text. Rejects only if curl cannot be run
 * at all (not installed) or the options would send traffic off loopback.
 */
export function curl(o: CurlOptions): Promise<CurlResult> {
    checkLoopback(o);
    const args = curlArgs(o);
    const env = { ...process.env };
    for (const k of Object.keys(env)) {
        if (/^(https?|all|no)_proxy$/i.test(k) || k === "CURL_HOME") delete env[k];
    }
    return new Promise((resolve, reject) => {
        execFile(CURL_BIN, args, { encoding: "utf8", env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error !== null && typeof error.code !== "number") {
                const hint = error.code === "ENOENT" ? " (is it installed? see scripts/system-packages.sh)" : "";
                reject(new Error(`could not run ${CURL_BIN}: ${error.message}${hint}`));
                return;
            }
            const m = new RegExp(`\\n?${MARKER}(\\d{3})\\n?`).exec(stderr);
            const code = m === null ? 0 : Number(m[1]);
            resolve({
                exitCode: error === null ? 0 : Number(error.code),
                stdout,
                stderr: m === null ? stderr : stderr.slice(0, m.index) + stderr.slice(m.index + m[0].length),
                httpCode: code === 0 ? undefined : code,
                args,
            });
        });
    });
}
