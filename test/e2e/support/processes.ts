// Generic helpers for end-to-end tests that run real programs (nginx, dnsmasq, kube-apiserver...):
// free loopback ports, temp directories, child processes with readiness checks, and one registry
// that stops every process and removes every temp dir still around (call `cleanupAll` from a
// mocha `after` hook; a process-exit hook SIGKILLs whatever is left if mocha dies first).
//
// Rules these helpers enforce or make easy:
// - servers listen on 127.0.0.0/8 only (`freePort` refuses any other address);
// - temp files live in a fresh `fs.mkdtemp` directory (`makeTempDir`);
// - every process is stopped, SIGTERM then SIGKILL after a grace period, including its children
//   (each process runs in its own process group, and signals go to the whole group);
// - readiness is polled with generous timeouts; nothing asserts on durations.

import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** True for an IPv4 literal in 127.0.0.0/8. */
export function isLoopbackV4(host: string): boolean {
    const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
    return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

/** Throws unless `host` is an IPv4 literal in 127.0.0.0/8. */
export function assertLoopbackV4(host: string, what = "address"): void {
    if (!isLoopbackV4(host)) {
        throw new Error(`${what} ${JSON.stringify(host)} is not in 127.0.0.0/8: e2e servers and traffic stay on loopback`);
    }
}

function listenOnce(host: string, port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen({ host, port, exclusive: true }, () => {
            server.removeListener("error", reject);
            resolve(server);
        });
    });
}

function closeServer(server: net.Server): Promise<void> {
    return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A TCP port that is free on `host` (default 127.0.0.1) right now: binds port 0, reads the port
 * the kernel chose, and closes the socket. Another program may take the port before you bind it,
 * so a caller that cannot tolerate that should retry on EADDRINUSE (see `isAddressInUse`).
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
    assertLoopbackV4(host, "freePort host");
    const server = await listenOnce(host, 0);
    const address = server.address();
    await closeServer(server);
    if (address === null || typeof address === "string") {
        throw new Error(`could not read the port bound on ${host}`);
    }
    return address.port;
}

/**
 * A TCP port that is free on every one of `hosts` at once (e.g. 127.0.0.1 and 127.0.0.2, for a
 * proxy on one address that forwards to the same port on another), and not in `exclude`.
 */
export async function freePortOnAll(hosts: string[], exclude: number[] = [], attempts = 50): Promise<number> {
    if (hosts.length === 0) throw new Error("freePortOnAll needs at least one host");
    hosts.forEach((h) => assertLoopbackV4(h, "freePortOnAll host"));
    for (let i = 0; i < attempts; i++) {
        const held: net.Server[] = [];
        try {
            const first = await listenOnce(hosts[0], 0);
            held.push(first);
            const address = first.address();
            if (address === null || typeof address === "string") continue;
            if (exclude.includes(address.port)) continue;
            let ok = true;
            for (const h of hosts.slice(1)) {
                try {
                    held.push(await listenOnce(h, address.port));
                } catch {
                    ok = false;
                    break;
                }
            }
            if (ok) return address.port;
        } finally {
            await Promise.all(held.map(closeServer));
        }
    }
    throw new Error(`no TCP port free on all of ${hosts.join(", ")} after ${attempts} attempts`);
}

/** True if a TCP connection to host:port is accepted (then closes it at once). */
export function canConnect(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host, port });
        const done = (ok: boolean) => {
            socket.removeAllListeners();
            socket.on("error", () => undefined);
            socket.destroy();
            resolve(ok);
        };
        socket.setTimeout(timeoutMs, () => done(false));
        socket.once("connect", () => done(true));
        socket.once("error", () => done(false));
    });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Throw this from a `pollUntil` check to stop polling at once with this error. */
export class PollAbort extends Error {}

/**
 * Polls `check` every `intervalMs` until it returns true; rejects with `what` in the message once
 * `timeoutMs` has passed. A check that throws counts as "not yet", except for a `PollAbort`,
 * which is rethrown at once.
 */
export async function pollUntil(
    check: () => boolean | Promise<boolean>,
    what: string,
    timeoutMs = 30_000,
    intervalMs = 100,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            if (await check()) return;
        } catch (e) {
            if (e instanceof PollAbort) throw e;
            lastError = e;
        }
        if (Date.now() >= deadline) {
            const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
        }
        await sleep(intervalMs);
    }
}

/** Waits until host:port accepts TCP connections; rejects after `timeoutMs` (default 30 s). */
export async function waitForTcp(host: string, port: number, timeoutMs = 30_000): Promise<void> {
    await pollUntil(() => canConnect(host, port), `TCP ${host}:${port} to accept connections`, timeoutMs);
}

/** True if an error (or its message, e.g. nginx's stderr) says an address was already in use. */
export function isAddressInUse(e: unknown): boolean {
    if (typeof e === "object" && e !== null && (e as { code?: unknown }).code === "EADDRINUSE") return true;
    const message = e instanceof Error ? e.message : String(e);
    return /EADDRINUSE|Address already in use/i.test(message);
}

// ---------------------------------------------------------------- registry

const liveProcesses = new Set<ProcessHandle>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function killGroupNow(pid: number): void {
    for (const target of [-pid, pid]) {
        try {
            process.kill(target, "SIGKILL");
        } catch {
            // already gone
        }
    }
}

function installExitHooks(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    // Last resort if the test process ends without running the after hooks: children run in
    // their own process groups (so they outlive us otherwise), kill them synchronously.
    process.on("exit", () => {
        for (const p of liveProcesses) killGroupNow(p.pid);
        if (process.env.E2E_KEEP_TMP !== "1") {
            for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
        }
    });
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        const onSignal = () => {
            for (const p of liveProcesses) killGroupNow(p.pid);
            // Keep the default behaviour (terminate) unless someone else (mocha) handles it.
            if (process.listenerCount(signal) === 1) {
                process.removeListener(signal, onSignal);
                process.kill(process.pid, signal);
            }
        };
        process.on(signal, onSignal);
    }
}

/**
 * A fresh directory from `fs.mkdtemp` under the OS temp dir, named `istio-egress-e2e-<label>-XXXXXX`,
 * removed by `cleanupAll` (kept when E2E_KEEP_TMP=1, for debugging).
 */
export async function makeTempDir(label: string): Promise<string> {
    installExitHooks();
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), `istio-egress-e2e-${label.replace(/[^A-Za-z0-9_-]/g, "_")}-`));
    tempDirs.add(dir);
    return dir;
}

/** Removes one directory made by `makeTempDir` (no-op when E2E_KEEP_TMP=1). */
export async function removeTempDir(dir: string): Promise<void> {
    if (!tempDirs.has(dir)) throw new Error(`${dir} was not made by makeTempDir`);
    if (process.env.E2E_KEEP_TMP === "1") return;
    tempDirs.delete(dir);
    await fs.promises.rm(dir, { recursive: true, force: true });
}

/** Stops every process started by `startProcess` that is still running. */
export async function stopAllProcesses(): Promise<void> {
    await Promise.all([...liveProcesses].map((p) => p.stop()));
}

/** Stops every process still running, then removes every temp dir (use in a mocha `after`). */
export async function cleanupAll(): Promise<void> {
    await stopAllProcesses();
    if (process.env.E2E_KEEP_TMP === "1") return;
    for (const d of [...tempDirs]) await removeTempDir(d);
}

// ---------------------------------------------------------------- processes

/** How a process ended: exit code, or the signal that killed it. */
export interface ProcessExit {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
}

/** A readiness check: resolves true once the process is ready; throwing counts as "not yet". */
export type ReadyCheck = (handle: ProcessHandle) => boolean | Promise<boolean>;

export interface StartProcessOptions {
    /** Short name for messages (default: the command's base name). */
    readonly name?: string;
    readonly cwd?: string;
    /** Environment (default: this process's). */
    readonly env?: NodeJS.ProcessEnv;
    /**
     * The file the process's stdout and stderr go to (appended). Default: `<name>.log` in a fresh
     * `makeTempDir`. The process gets the file itself as fd 1 and 2, not a pipe from Node
     * (which is a socket): programs that open /dev/stdout or /dev/stderr by name, as nginx does
     * for `access_log /dev/stdout`, fail with ENXIO on a socket.
     */
    readonly logFile?: string;
    /** Polled until it returns true; `startProcess` resolves only then. Default: ready at once. */
    readonly readyCheck?: ReadyCheck;
    /** How long readiness may take before the process is stopped and start fails (default 60 s). */
    readonly readyTimeoutMs?: number;
    /** Readiness poll interval (default 100 ms). */
    readonly pollIntervalMs?: number;
    /** Time between SIGTERM and SIGKILL in `stop()` (default 10 s). */
    readonly stopGraceMs?: number;
}

/** A running (or ended) child process started by `startProcess`. */
export interface ProcessHandle {
    readonly name: string;
    readonly pid: number;
    /** Command line, for messages. */
    readonly commandLine: string;
    /** The file stdout and stderr go to. */
    readonly logFile: string;
    /** Everything the process wrote to stdout and stderr so far, in order (read from `logFile`). */
    output(): string;
    /** The exit, once the process has ended. */
    exitStatus(): ProcessExit | undefined;
    /** Resolves when the process ends. */
    readonly exited: Promise<ProcessExit>;
    /** Polls until `output()` matches `pattern`; rejects after `timeoutMs` (default 30 s). */
    waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
    /**
     * SIGTERM to the process group, SIGKILL to the group if still alive after the grace period.
     * Idempotent; resolves with the exit. Also removes the handle from the registry.
     */
    stop(graceMs?: number): Promise<ProcessExit>;
}

function tail(text: string, lines = 40): string {
    return text.split("\n").slice(-lines).join("\n");
}

class ChildHandle implements ProcessHandle {
    public readonly exited: Promise<ProcessExit>;
    private exit: ProcessExit | undefined;
    private stopping: Promise<ProcessExit> | undefined;
    private readonly outputStart: number;

    constructor(
        public readonly name: string,
        public readonly pid: number,
        public readonly commandLine: string,
        public readonly logFile: string,
        outputStart: number,
        child: ChildProcess,
        private readonly stopGraceMs: number,
    ) {
        this.outputStart = outputStart;
        this.exited = new Promise((resolve) => {
            child.once("exit", (code, signal) => {
                this.exit = { code, signal };
                liveProcesses.delete(this);
                resolve(this.exit);
            });
        });
    }

    output(): string {
        try {
            const all = fs.readFileSync(this.logFile);
            return all.subarray(Math.min(this.outputStart, all.length)).toString("utf8");
        } catch {
            return ""; // removed during cleanup
        }
    }

    exitStatus(): ProcessExit | undefined {
        return this.exit;
    }

    async waitForOutput(pattern: RegExp | string, timeoutMs = 30_000): Promise<void> {
        const matches = () => {
            const text = this.output();
            return typeof pattern === "string" ? text.includes(pattern) : pattern.test(text);
        };
        await pollUntil(
            () => {
                if (matches()) return true;
                if (this.exit !== undefined) {
                    throw new PollAbort(`${this.name} exited (${describeExit(this.exit)}) before printing ${String(pattern)}`);
                }
                return false;
            },
            `${this.name} to print ${String(pattern)}`,
            timeoutMs,
        );
    }

    stop(graceMs = this.stopGraceMs): Promise<ProcessExit> {
        this.stopping ??= this.doStop(graceMs);
        return this.stopping;
    }

    private signalGroup(signal: NodeJS.Signals): void {
        try {
            process.kill(-this.pid, signal);
        } catch {
            try {
                process.kill(this.pid, signal);
            } catch {
                // already gone
            }
        }
    }

    private async doStop(graceMs: number): Promise<ProcessExit> {
        if (this.exit === undefined) {
            this.signalGroup("SIGTERM");
            let timer: NodeJS.Timeout | undefined;
            const timedOut = new Promise<"timeout">((resolve) => {
                timer = setTimeout(() => resolve("timeout"), graceMs);
            });
            const first = await Promise.race([this.exited, timedOut]);
            clearTimeout(timer);
            if (first === "timeout") this.signalGroup("SIGKILL");
        }
        const exit = await this.exited;
        // Children that outlived the leader (e.g. nginx workers after a SIGKILLed master).
        try {
            process.kill(-this.pid, 0);
            process.kill(-this.pid, "SIGKILL");
        } catch {
            // group is empty
        }
        liveProcesses.delete(this);
        return exit;
    }
}

function describeExit(e: ProcessExit): string {
    return e.signal !== null ? `signal ${e.signal}` : `exit code ${e.code}`;
}

function quoteArg(a: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * Starts `cmd args` (no shell) in its own process group, stdout and stderr appended to `logFile`,
 * registered so `stopAllProcesses`/`cleanupAll` stop it. Resolves once `readyCheck` returns true.
 * Rejects, after stopping the process, if it cannot be started (e.g. not installed), exits before
 * it is ready, or is not ready within `readyTimeoutMs`; the message carries the tail of its output.
 */
export async function startProcess(cmd: string, args: string[], options: StartProcessOptions = {}): Promise<ProcessHandle> {
    installExitHooks();
    const name = options.name ?? path.basename(cmd);
    const commandLine = [cmd, ...args].map(quoteArg).join(" ");
    const logFile = options.logFile ?? path.join(await makeTempDir(`proc-${name}`), `${name}.log`);
    fs.appendFileSync(logFile, `# ${commandLine}\n`);
    const outputStart = fs.statSync(logFile).size;
    const fd = fs.openSync(logFile, "a");
    let child: ChildProcess;
    try {
        child = spawn(cmd, args, {
            cwd: options.cwd,
            env: options.env ?? process.env,
            stdio: ["ignore", fd, fd],
            detached: true, // own process group: stop() signals the process and all its children
        });
    } finally {
        fs.closeSync(fd); // the child has its own copy
    }
    const spawned = await new Promise<Error | undefined>((resolve) => {
        child.once("spawn", () => resolve(undefined));
        child.once("error", (e) => resolve(e));
    });
    if (spawned !== undefined || child.pid === undefined) {
        const code = (spawned as { code?: unknown } | undefined)?.code;
        const hint = code === "ENOENT" ? ` (is it installed? see scripts/system-packages.sh)` : "";
        throw new Error(`could not start ${name}: ${spawned?.message ?? "no pid"}${hint}\n  command: ${commandLine}`);
    }
    child.on("error", () => undefined);
    const handle = new ChildHandle(name, child.pid, commandLine, logFile, outputStart, child, options.stopGraceMs ?? 10_000);
    liveProcesses.add(handle);

    const readyCheck = options.readyCheck;
    if (readyCheck === undefined) return handle;
    try {
        await pollUntil(
            async () => {
                const exit = handle.exitStatus();
                if (exit !== undefined) {
                    throw new PollAbort(`${name} exited (${describeExit(exit)}) before it was ready`);
                }
                return readyCheck(handle);
            },
            `${name} to be ready`,
            options.readyTimeoutMs ?? 60_000,
            options.pollIntervalMs ?? 100,
        );
    } catch (e) {
        await handle.stop(2_000);
        const why = e instanceof Error ? e.message : String(e);
        throw new Error(`${why}\n  command: ${commandLine}\n  output (tail of ${logFile}):\n${tail(handle.output())}`);
    }
    return handle;
}

/** The result of `runToCompletion`. */
export interface CompletedProcess {
    /** Exit code, or null when a signal ended it. */
    readonly exitCode: number | null;
    readonly signal: NodeJS.Signals | null;
    /** stdout and stderr, in order. */
    readonly output: string;
}

/**
 * Runs `cmd args` (no shell) to completion with stdout and stderr appended to `logFile` (a real
 * file as fd 1 and 2, see `StartProcessOptions.logFile`), and returns its exit and output.
 * Rejects only if it cannot be started; SIGKILLs it after `timeoutMs` (default 120 s).
 */
export async function runToCompletion(cmd: string, args: string[], logFile: string, timeoutMs = 120_000): Promise<CompletedProcess> {
    const handle = await startProcess(cmd, args, { logFile, name: path.basename(cmd) });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const first = await Promise.race([handle.exited, timedOut]);
    clearTimeout(timer);
    const exit = first === "timeout" ? await handle.stop(0) : first;
    return { exitCode: exit.code, signal: exit.signal, output: handle.output() };
}
