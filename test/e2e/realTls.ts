// Real TLS checks with a real nginx on loopback. Two functions that register mocha hooks and
// tests; call them inside a `describe` of the caller:
//
//   describe("mutual TLS with the stack's certificates", () => describeMutualTls(() => pems));
//   describe("SNI proxy", () => describeSniProxy(sniProxyConfig));
//
// Each sets up in `before` (everything on 127.0.0.0/8, free ports, a fresh temp dir) and tears
// down in `after` (processes stopped, temp dir removed), also when a test or the set-up fails.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { curl, CurlOptions, CurlResult } from "./support/curl";
import { DnsmasqInstance, startDnsmasq } from "./support/dnsmasq";
import { NginxInstance, mutualTlsServerConfig, startNginx, tlsServersConfig } from "./support/nginx";
import { certificateExtension, makeCa, makeLeaf, verifyCertificate } from "./support/openssl";
import { freePort, freePortOnAll, isAddressInUse, makeTempDir, pollUntil, removeTempDir } from "./support/processes";

/** The certificates the stack issued, as PEM text. */
export interface IssuedPems {
    readonly caCertificatePem: string;
    readonly serverCertificatePem: string;
    readonly serverPrivateKeyPem: string;
    readonly clientCertificatePem: string;
    readonly clientPrivateKeyPem: string;
    /** The name the server certificate is for, e.g. my-nginx.mesh-external.svc.cluster.local. */
    readonly serverHost: string;
}

/** What `describeSniProxy` passes to its config generator (the shape of `sniProxyConfig`'s options). */
export interface SniProxyConfigInput {
    listeners: { listenPort: number; upstreamPort: number; allowedHosts: string[] }[];
    resolvers: string[];
    listenAddress: string;
    pidFile: string;
}

const SET_UP_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 90_000;
const LOG_WAIT_MS = 30_000;

/** Retries `start` (which picks its own free ports) when a port turned out to be taken. */
async function retryOnAddressInUse<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await start();
        } catch (e) {
            if (attempt >= attempts || !isAddressInUse(e)) throw e;
        }
    }
}

function requirePem(name: string, text: unknown, kind: "CERTIFICATE" | "PRIVATE KEY"): string {
    if (typeof text !== "string" || !new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
        throw new Error(`IssuedPems.${name} is not a PEM ${kind.toLowerCase()}`);
    }
    return text.endsWith("\n") ? text : `${text}\n`;
}

/** A readable summary of a curl run for assertion messages. */
function show(r: CurlResult): string {
    return `curl exit ${r.exitCode}, HTTP ${r.httpCode ?? "none"}\nstderr: ${r.stderr.trim()}\nbody: ${r.stdout.slice(0, 500)}`;
}

/** Waits until `read()` has a line matching every pattern; returns that line. */
async function waitForLogLine(read: () => string, patterns: RegExp[], what: string): Promise<string> {
    let found: string | undefined;
    await pollUntil(
        () => {
            found = read()
                .split("\n")
                .find((l) => patterns.every((p) => p.test(l)));
            return found !== undefined;
        },
        what,
        LOG_WAIT_MS,
    ).catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- log ---\n${read().split("\n").slice(-30).join("\n")}`);
    });
    return found ?? "";
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// ---------------------------------------------------------------- mutual TLS

interface MutualTlsSetUp {
    readonly pems: IssuedPems;
    readonly dir: string;
    readonly caFile: string;
    readonly serverCertFile: string;
    readonly clientCertFile: string;
    readonly clientKeyFile: string;
    readonly otherClientCertFile: string;
    readonly otherClientKeyFile: string;
    readonly nginx: NginxInstance;
    readonly port: number;
    readonly body: string;
}

/**
 * Registers the mutual TLS tests: a real nginx configured like the Istio egress "mutual TLS
 * origination" guide's server (`ssl_verify_client on`) with the issued server certificate and
 * key, trusting the issued CA for client certificates, on 127.0.0.1:<free port>; real curl as the
 * client. `getPems` is called in the `before` hook (so it may return what an earlier hook made).
 */
export function describeMutualTls(getPems: () => IssuedPems): void {
    let dir: string | undefined;
    let nginx: NginxInstance | undefined;
    let env: MutualTlsSetUp | undefined;
    const need = (): MutualTlsSetUp => {
        if (env === undefined) throw new Error("the mutual TLS set-up did not complete (see the before hook's error)");
        return env;
    };

    before(async function () {
        this.timeout(SET_UP_TIMEOUT_MS);
        const pems = getPems();
        if (typeof pems.serverHost !== "string" || !/^[A-Za-z0-9.-]+$/.test(pems.serverHost)) {
            throw new Error(`IssuedPems.serverHost ${JSON.stringify(pems.serverHost)} is not a DNS name`);
        }
        dir = await makeTempDir("mtls");
        const write = async (name: string, text: string, mode: number) => {
            const file = path.join(dir ?? "", name);
            await fs.promises.writeFile(file, text, { mode });
            return file;
        };
        const caFile = await write("ca.crt", requirePem("caCertificatePem", pems.caCertificatePem, "CERTIFICATE"), 0o644);
        const serverCertFile = await write(
            "server.crt",
            requirePem("serverCertificatePem", pems.serverCertificatePem, "CERTIFICATE"),
            0o644,
        );
        const serverKeyFile = await write("server.key", requirePem("serverPrivateKeyPem", pems.serverPrivateKeyPem, "PRIVATE KEY"), 0o600);
        const clientCertFile = await write(
            "client.crt",
            requirePem("clientCertificatePem", pems.clientCertificatePem, "CERTIFICATE"),
            0o644,
        );
        const clientKeyFile = await write("client.key", requirePem("clientPrivateKeyPem", pems.clientPrivateKeyPem, "PRIVATE KEY"), 0o600);

        // A client certificate that is valid in every way except that another CA issued it.
        const otherCa = await makeCa(dir, "other-ca", { commonName: "e2e throwaway other CA", organization: "not the stack" });
        const otherClient = await makeLeaf(dir, "other-client", otherCa, { commonName: "client.example.com", usage: "client" });

        const body = `mutual TLS ok: ${pems.serverHost}\n`;
        const prefix = path.join(dir, "nginx");
        let port = 0;
        nginx = await retryOnAddressInUse(async () => {
            port = await freePort("127.0.0.1");
            return startNginx(
                mutualTlsServerConfig({
                    listen: `127.0.0.1:${port}`,
                    serverName: pems.serverHost,
                    certFile: serverCertFile,
                    keyFile: serverKeyFile,
                    caFile,
                    body,
                }),
                { name: "nginx-mtls", prefix },
            );
        });
        env = {
            pems,
            dir,
            caFile,
            serverCertFile,
            clientCertFile,
            clientKeyFile,
            otherClientCertFile: otherClient.certFile,
            otherClientKeyFile: otherClient.keyFile,
            nginx,
            port,
            body,
        };
    });

    after(async function () {
        this.timeout(SET_UP_TIMEOUT_MS);
        await nginx?.stop();
        if (dir !== undefined) await removeTempDir(dir);
    });

    const request = (e: MutualTlsSetUp, o: Partial<CurlOptions> & { host?: string }): Promise<CurlResult> => {
        const host = o.host ?? e.pems.serverHost;
        return curl({ url: `https://${host}:${e.port}/`, resolve: [`${host}:${e.port}:127.0.0.1`], cacert: e.caFile, ...o });
    };
    const accessLog = (e: MutualTlsSetUp) => () => e.nginx.readPrefixFile("logs/access.log");

    it("accepts a client certificate issued by the CA: curl exit 0, HTTP 200 and the body", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const r = await request(e, { cert: e.clientCertFile, key: e.clientKeyFile });
        assert.equal(r.exitCode, 0, show(r));
        assert.equal(r.httpCode, 200, show(r));
        assert.equal(r.stdout, e.body, show(r));
        await waitForLogLine(accessLog(e), [/\b200\b/, /client_verify=SUCCESS/], "an access log line with client_verify=SUCCESS");
    });

    it("refuses a request without a client certificate: HTTP 400 'No required SSL certificate was sent'", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const r = await request(e, {});
        // nginx completes the TLS handshake (the certificate request is optional at the TLS level)
        // and then answers the HTTP request with its own 400 page.
        assert.equal(r.exitCode, 0, show(r));
        assert.equal(r.httpCode, 400, show(r));
        assert.match(r.stdout, /<title>400 No required SSL certificate was sent<\/title>/, show(r));
        assert.ok(!r.stdout.includes(e.body), show(r));
        await waitForLogLine(accessLog(e), [/\b400\b/, /client_verify=NONE/], "an access log line with status 400 and client_verify=NONE");
    });

    it("refuses a client certificate issued by another CA: HTTP 400 'The SSL certificate error'", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const r = await request(e, { cert: e.otherClientCertFile, key: e.otherClientKeyFile });
        assert.equal(r.exitCode, 0, show(r));
        assert.equal(r.httpCode, 400, show(r));
        assert.match(r.stdout, /<title>400 The SSL certificate error<\/title>/, show(r));
        assert.ok(!r.stdout.includes(e.body), show(r));
        await waitForLogLine(
            accessLog(e),
            [/\b400\b/, /client_verify=FAILED:unable to (verify the first certificate|get local issuer certificate) /],
            "an access log line with status 400 and client_verify=FAILED",
        );
    });

    it("verifies the server's name: reached as wrong.example.com curl fails with exit 60, as the right name it succeeds", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const wrong = await request(e, { host: "wrong.example.com", cert: e.clientCertFile, key: e.clientKeyFile });
        assert.equal(wrong.exitCode, 60, show(wrong));
        assert.match(wrong.stderr, /no alternative certificate subject name matches target host name 'wrong\.example\.com'/, show(wrong));
        assert.equal(wrong.httpCode, undefined, show(wrong));
        assert.equal(wrong.stdout, "", show(wrong));
        const right = await request(e, { cert: e.clientCertFile, key: e.clientKeyFile });
        assert.equal(right.exitCode, 0, show(right));
        assert.equal(right.stdout, e.body, show(right));
    });

    it("has certificates that chain to the CA, with serverAuth / clientAuth extended key usage and the server's DNS name", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const server = await verifyCertificate(e.caFile, e.serverCertFile, "sslserver");
        assert.equal(server.exitCode, 0, `openssl verify (server): ${server.stderr}${server.stdout}`);
        assert.equal(server.stdout.trim(), `${e.serverCertFile}: OK`);
        const client = await verifyCertificate(e.caFile, e.clientCertFile, "sslclient");
        assert.equal(client.exitCode, 0, `openssl verify (client): ${client.stderr}${client.stdout}`);
        assert.equal(client.stdout.trim(), `${e.clientCertFile}: OK`);
        // The other CA's client certificate does not chain to the CA (what nginx refused above).
        const other = await verifyCertificate(e.caFile, e.otherClientCertFile);
        assert.notEqual(other.exitCode, 0, `openssl verify (other client): ${other.stdout}`);

        assert.ok(
            (await certificateExtension(e.serverCertFile, "extendedKeyUsage")).includes("TLS Web Server Authentication"),
            "server certificate lacks serverAuth",
        );
        assert.ok(
            (await certificateExtension(e.clientCertFile, "extendedKeyUsage")).includes("TLS Web Client Authentication"),
            "client certificate lacks clientAuth",
        );
        assert.ok(
            (await certificateExtension(e.serverCertFile, "subjectAltName")).includes(`DNS:${e.pems.serverHost}`),
            `server certificate has no subjectAltName DNS:${e.pems.serverHost}`,
        );
    });
}

// ---------------------------------------------------------------- SNI proxy

const BACKEND_ADDRESS = "127.0.0.2";
const ALLOWED_HOSTS = ["*.wikipedia.org", "*.partner.example.com"];
const DNS_ADDRESSES: Record<string, string> = {
    "wikipedia.org": BACKEND_ADDRESS,
    "partner.example.com": BACKEND_ADDRESS,
    "blocked.example.net": BACKEND_ADDRESS,
};

interface SniSetUp {
    readonly dir: string;
    readonly caFile: string;
    /** Backend ports on 127.0.0.2: what clients call. */
    readonly p1: number;
    readonly p2: number;
    /** The proxy's own ports on 127.0.0.1 for P1 and P2 (in a pod it listens on unprivileged ports). */
    readonly l1: number;
    readonly l2: number;
    readonly body1: string;
    readonly body2: string;
    readonly dns: DnsmasqInstance;
    readonly backend: NginxInstance;
    readonly proxy: NginxInstance;
}

/**
 * Registers the SNI proxy tests: dnsmasq resolves wikipedia.org, partner.example.com and
 * blocked.example.net (and subdomains) to 127.0.0.2; a TLS nginx on 127.0.0.2:P1 and :P2 (a
 * throwaway CA's certificate for *.wikipedia.org and *.partner.example.com) says which port
 * answered; the proxy, from `getConfig({ listeners: [{ listenPort: L1, upstreamPort: P1,
 * allowedHosts: ["*.wikipedia.org"] }, { listenPort: L2, upstreamPort: P2, allowedHosts:
 * ["*.partner.example.com"] }], resolvers: ["127.0.0.1:<dns port>"], listenAddress: "127.0.0.1",
 * pidFile })`, listens on 127.0.0.1:L1 and :L2 (other ports than P1 and P2, as in a pod). Real curl
 * calls https://<host>:P and is connected to the proxy's port for P.
 */
export function describeSniProxy(getConfig: (o: SniProxyConfigInput) => string): void {
    let dir: string | undefined;
    const started: Array<{ stop(): Promise<unknown> }> = [];
    let env: SniSetUp | undefined;
    const need = (): SniSetUp => {
        if (env === undefined) throw new Error("the SNI proxy set-up did not complete (see the before hook's error)");
        return env;
    };

    before(async function () {
        this.timeout(SET_UP_TIMEOUT_MS);
        dir = await makeTempDir("sni");
        const ca = await makeCa(dir, "backend-ca", { commonName: "e2e throwaway backend CA" });
        const backendCert = await makeLeaf(dir, "backend", ca, { commonName: "backend", usage: "server", dnsNames: ALLOWED_HOSTS });

        await fs.promises.mkdir(path.join(dir, "dnsmasq"));
        const dns = await startDnsmasq({ addresses: DNS_ADDRESSES, dir: path.join(dir, "dnsmasq") });
        started.push(dns);

        const workDir = dir;
        const servers = await retryOnAddressInUse(async () => {
            // The proxy listens on 127.0.0.1:P and forwards to <SNI host>:P = 127.0.0.2:P.
            const p1 = await freePortOnAll(["127.0.0.1", BACKEND_ADDRESS]);
            const p2 = await freePortOnAll(["127.0.0.1", BACKEND_ADDRESS], [p1]);
            const l1 = await freePortOnAll(["127.0.0.1"], [p1, p2]);
            const l2 = await freePortOnAll(["127.0.0.1"], [p1, p2, l1]);
            const body1 = `backend P1 (${BACKEND_ADDRESS}:${p1})\n`;
            const body2 = `backend P2 (${BACKEND_ADDRESS}:${p2})\n`;
            const backend = await startNginx(
                tlsServersConfig([
                    { listen: `${BACKEND_ADDRESS}:${p1}`, certFile: backendCert.certFile, keyFile: backendCert.keyFile, body: body1 },
                    { listen: `${BACKEND_ADDRESS}:${p2}`, certFile: backendCert.certFile, keyFile: backendCert.keyFile, body: body2 },
                ]),
                { name: "nginx-backends", prefix: path.join(workDir, "backends") },
            );
            try {
                const proxyPrefix = path.join(workDir, "sni-proxy");
                const config = getConfig({
                    listeners: [
                        { listenPort: l1, upstreamPort: p1, allowedHosts: [ALLOWED_HOSTS[0] as string] },
                        { listenPort: l2, upstreamPort: p2, allowedHosts: [ALLOWED_HOSTS[1] as string] },
                    ],
                    resolvers: [dns.server],
                    listenAddress: "127.0.0.1",
                    pidFile: path.join(proxyPrefix, "nginx.pid"),
                });
                const proxy = await startNginx(config, { name: "nginx-sni-proxy", prefix: proxyPrefix });
                return { p1, p2, l1, l2, body1, body2, backend, proxy };
            } catch (e) {
                await backend.stop();
                throw e;
            }
        });
        started.push(servers.proxy, servers.backend);
        env = { dir, caFile: ca.certFile, dns, ...servers };
    });

    after(async function () {
        this.timeout(SET_UP_TIMEOUT_MS);
        for (const s of started.reverse()) await s.stop();
        if (dir !== undefined) await removeTempDir(dir);
    });

    /** curl https://<host>:<port>/ through the proxy's listener for <port>, trusting only the backend CA. */
    const viaProxy = (e: SniSetUp, host: string, port: number): Promise<CurlResult> =>
        curl({
            url: `https://${host}:${port}/`,
            connectTo: [`${host}:${port}:127.0.0.1:${port === e.p1 ? e.l1 : e.l2}`],
            cacert: e.caFile,
        });
    const backendLog = (e: SniSetUp) => () => e.backend.readPrefixFile("logs/access.log");
    const proxyLog = (e: SniSetUp) => () => `${e.proxy.process.output()}\n${e.proxy.readPrefixFile("logs/access.log")}`;

    /** The proxy closes a connection it does not forward before any TLS reply: curl exit 35. */
    const assertNotForwarded = (e: SniSetUp, r: CurlResult, sni: string) => {
        assert.equal(r.exitCode, 35, show(r));
        assert.equal(r.httpCode, undefined, show(r));
        assert.ok(!r.stdout.includes("backend"), show(r));
        assert.ok(!backendLog(e)().includes(`sni="${sni}"`), `the backend saw SNI ${sni}:\n${backendLog(e)()}`);
    };

    it("forwards en.wikipedia.org on port P1 to the backend on 127.0.0.2:P1; TLS is end to end (curl verifies the backend's certificate)", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const r = await viaProxy(e, "en.wikipedia.org", e.p1);
        assert.equal(r.exitCode, 0, show(r));
        assert.equal(r.httpCode, 200, show(r));
        assert.equal(r.stdout, e.body1, show(r));
        // The backend terminated TLS with the client's SNI; the proxy resolved the name through dnsmasq.
        await waitForLogLine(backendLog(e), [/sni="en\.wikipedia\.org"/, /\b200\b/], "the backend's access log line for en.wikipedia.org");
        await e.dns.process.waitForOutput(/query\[A\] en\.wikipedia\.org from 127\.0\.0\.1/, LOG_WAIT_MS);
    });

    it("keeps a non-443 port: api.partner.example.com on port P2 reaches the backend on 127.0.0.2:P2", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const r = await viaProxy(e, "api.partner.example.com", e.p2);
        assert.equal(r.exitCode, 0, show(r));
        assert.equal(r.httpCode, 200, show(r));
        assert.equal(r.stdout, e.body2, show(r));
        await waitForLogLine(
            backendLog(e),
            [/sni="api\.partner\.example\.com"/, /\b200\b/],
            "the backend's access log line for api.partner.example.com",
        );
    });

    it("does not forward a host that is not allowed (blocked.example.net resolves to the backend, but curl fails with exit 35)", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        assertNotForwarded(e, await viaProxy(e, "blocked.example.net", e.p1), "blocked.example.net");
    });

    it("does not forward the bare parent of a wildcard (wikipedia.org is not *.wikipedia.org)", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        assertNotForwarded(e, await viaProxy(e, "wikipedia.org", e.p1), "wikipedia.org");
    });

    it("does not forward a connection without SNI (https://127.0.0.1:P1/)", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const r = await curl({ url: `https://127.0.0.1:${e.l1}/`, cacert: e.caFile });
        assert.equal(r.exitCode, 35, show(r));
        assert.ok(!r.stdout.includes("backend"), show(r));
    });

    it("logs the SNI and port of forwarded and refused connections in the proxy's access log", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        const ok = await viaProxy(e, "de.wikipedia.org", e.p1);
        assert.equal(ok.exitCode, 0, show(ok));
        const refused = await viaProxy(e, "www.blocked.example.net", e.p2);
        assert.equal(refused.exitCode, 35, show(refused));
        await waitForLogLine(
            proxyLog(e),
            [
                new RegExp(`de\\.wikipedia\\.org\\S*\\b${e.l1}\\b`),
                new RegExp(`upstream=${escapeRe(BACKEND_ADDRESS)}:${e.p1}\\b`),
                /\b200\b/,
            ],
            "a proxy access log line with de.wikipedia.org on L1, forwarded to 127.0.0.2:P1, status 200",
        );
        await waitForLogLine(
            proxyLog(e),
            [new RegExp(`${escapeRe("www.blocked.example.net")}\\S*\\b${e.l2}\\b`), /\b502\b/],
            "a proxy access log line with www.blocked.example.net on L2 and status 502",
        );
    });

    it("keeps each port's allow list: api.partner.example.com is not forwarded from P1's listener", async function () {
        this.timeout(TEST_TIMEOUT_MS);
        const e = need();
        assertNotForwarded(e, await viaProxy(e, "shop.partner.example.com", e.p1), "shop.partner.example.com");
    });
}
