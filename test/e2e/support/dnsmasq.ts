// A real dnsmasq on 127.0.0.1:<free port> answering fixed addresses for test domains (and their
// subdomains), and nothing else: no upstream servers, no /etc/hosts, no config files.

import { promises as dns } from "node:dns";
import * as path from "node:path";
import { ProcessExit, ProcessHandle, assertLoopbackV4, freePort, isAddressInUse, makeTempDir, startProcess } from "./processes";

/** The dnsmasq binary (override with DNSMASQ_BIN). */
export const DNSMASQ_BIN = process.env.DNSMASQ_BIN ?? "dnsmasq";

export interface StartDnsmasqOptions {
    /** domain → IPv4 address; each also answers for every subdomain (`--address=/domain/addr`). */
    readonly addresses: Record<string, string>;
    /** Address to listen on (default 127.0.0.1). */
    readonly listenAddress?: string;
    /** Port (default: a free one; on "Address already in use" another is tried). */
    readonly port?: number;
    /** Directory for the pid file and log (default: a fresh `makeTempDir`). */
    readonly dir?: string;
    /** Log every query to stderr (default true). */
    readonly logQueries?: boolean;
}

/** A running dnsmasq started by `startDnsmasq`. */
export interface DnsmasqInstance {
    readonly host: string;
    readonly port: number;
    /** "host:port", as nginx's `resolver` and `dns.Resolver.setServers` take it. */
    readonly server: string;
    readonly process: ProcessHandle;
    stop(): Promise<ProcessExit>;
}

/** Resolves `name` to IPv4 addresses by asking only `server` ("host:port"). */
export async function resolve4Via(server: string, name: string): Promise<string[]> {
    const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([server]);
    return resolver.resolve4(name);
}

/** The dnsmasq arguments used by `startDnsmasq` (exported for messages and debugging). */
export function dnsmasqArgs(o: {
    listenAddress: string;
    port: number;
    pidFile: string;
    addresses: Record<string, string>;
    logQueries: boolean;
}): string[] {
    const args = [
        "--no-daemon", // foreground, log to stderr
        "--conf-file=/dev/null", // ignore /etc/dnsmasq.conf and /etc/dnsmasq.d if the full package is installed
        "--no-resolv", // no upstream servers from /etc/resolv.conf: unknown names are refused, never forwarded
        "--no-hosts", // ignore /etc/hosts
        "--bind-interfaces",
        `--listen-address=${o.listenAddress}`,
        `--port=${o.port}`,
        `--pid-file=${o.pidFile}`,
        ...Object.entries(o.addresses).map(([domain, address]) => {
            assertLoopbackV4(address, `dnsmasq address for ${domain}`);
            if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw new Error(`dnsmasq domain ${JSON.stringify(domain)} is not a plain DNS name`);
            return `--address=/${domain}/${address}`;
        }),
        ...(o.logQueries ? ["--log-queries"] : []),
    ];
    // As root dnsmasq drops privileges to "nobody" after binding; keep root (the pid file is in a
    // root-owned 0700 temp dir). As another user it cannot change user and needs no option.
    if (process.getuid?.() === 0) args.push("--user=root");
    return args;
}

/**
 * Starts dnsmasq and resolves once it answers the first configured domain with its address
 * (queried through `dns.Resolver`, not just a port check).
 */
export async function startDnsmasq(o: StartDnsmasqOptions): Promise<DnsmasqInstance> {
    const host = o.listenAddress ?? "127.0.0.1";
    assertLoopbackV4(host, "dnsmasq listen address");
    const entries = Object.entries(o.addresses);
    if (entries.length === 0) throw new Error("startDnsmasq needs at least one domain");
    const [probeName, probeAddress] = entries[0];
    const dir = o.dir ?? (await makeTempDir("dnsmasq"));
    const attempts = o.port === undefined ? 5 : 1;
    for (let attempt = 1; ; attempt++) {
        const port = o.port ?? (await freePort(host));
        const server = `${host}:${port}`;
        const args = dnsmasqArgs({
            listenAddress: host,
            port,
            pidFile: path.join(dir, `dnsmasq-${port}.pid`),
            addresses: o.addresses,
            logQueries: o.logQueries ?? true,
        });
        try {
            const handle = await startProcess(DNSMASQ_BIN, args, {
                name: "dnsmasq",
                logFile: path.join(dir, "dnsmasq.log"),
                readyCheck: async () => (await resolve4Via(server, probeName)).includes(probeAddress),
            });
            return { host, port, server, process: handle, stop: () => handle.stop() };
        } catch (e) {
            // The port was free for TCP when picked; UDP (or a race) may still collide.
            if (attempt < attempts && isAddressInUse(e)) continue;
            throw e;
        }
    }
}
