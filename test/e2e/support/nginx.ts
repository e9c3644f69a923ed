// Real nginx for end-to-end tests: start it from a config string in its own prefix directory
// (`nginx -p <prefix> -c <conf> -e stderr -g 'daemon off;'`), after `nginx -t` has accepted the
// config, and stop it (SIGTERM = fast shutdown, SIGKILL after a grace period) through the
// process registry of ./processes. Plus generators for the TLS servers the tests need.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ProcessExit, ProcessHandle, assertLoopbackV4, canConnect, makeTempDir, runToCompletion, startProcess } from "./processes";

/** The nginx binary (override with NGINX_BIN). */
export const NGINX_BIN = process.env.NGINX_BIN ?? "nginx";

interface ExecResult {
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

function execNoThrow(cmd: string, args: string[]): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
        execFile(cmd, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error !== null && typeof error.code !== "number") {
                const hint = error.code === "ENOENT" ? " (is it installed? see scripts/system-packages.sh)" : "";
                reject(new Error(`could not run ${cmd}: ${error.message}${hint}`));
                return;
            }
            resolve({ exitCode: error === null ? 0 : Number(error.code), stdout, stderr });
        });
    });
}

// ---------------------------------------------------------------- build info

/** What `nginx -V` says about the binary. */
export interface NginxBuildInfo {
    readonly version: string;
    readonly configureArguments: string[];
    /** Where dynamic modules live (`--modules-path`, default /usr/lib/nginx/modules). */
    readonly modulesPath: string;
    /** `--with-stream`: the stream module is compiled into the binary. */
    readonly streamBuiltIn: boolean;
    /** `--with-stream=dynamic`: the stream module is a separate .so that needs `load_module`. */
    readonly streamDynamic: boolean;
    /** HTTP modules that were left out (`--without-http_<name>_module`), e.g. "fastcgi". */
    readonly httpModulesWithout: string[];
}

let buildInfo: Promise<NginxBuildInfo> | undefined;

/** Parses `nginx -V` once per test run. */
export function nginxBuildInfo(): Promise<NginxBuildInfo> {
    buildInfo ??= execNoThrow(NGINX_BIN, ["-V"]).then((r) => {
        const text = r.stderr + r.stdout;
        if (r.exitCode !== 0) throw new Error(`${NGINX_BIN} -V failed (exit ${r.exitCode}): ${text}`);
        const version = /nginx version: nginx\/(\S+)/.exec(text)?.[1] ?? "unknown";
        const configureArguments = (/configure arguments: (.*)/.exec(text)?.[1] ?? "").split(/\s+(?=--)/).filter((a) => a !== "");
        const modulesPath =
            configureArguments.find((a) => a.startsWith("--modules-path="))?.slice("--modules-path=".length) ?? "/usr/lib/nginx/modules";
        return {
            version,
            configureArguments,
            modulesPath,
            streamBuiltIn: configureArguments.includes("--with-stream"),
            streamDynamic: configureArguments.includes("--with-stream=dynamic"),
            httpModulesWithout: configureArguments
                .map((a) => /^--without-http_(\w+)_module$/.exec(a)?.[1])
                .filter((m): m is string => m !== undefined),
        };
    });
    return buildInfo;
}

// ---------------------------------------------------------------- config parsing

/** One directive of an nginx config (a simple one, or a block). */
export interface NginxStatement {
    readonly name: string;
    readonly args: string[];
    readonly depth: number;
    /** Index of the first character of the directive name. */
    readonly start: number;
    /** For a block: index of its `{`. */
    readonly open?: number;
    /** The enclosing block, if any. */
    readonly parent?: NginxStatement;
}

/**
 * A small nginx config tokenizer: enough to find top-level directives, blocks and `listen`
 * arguments. Handles `#` comments, quoted strings with backslash escapes and `${var}`.
 */
export function parseNginxConfig(text: string): NginxStatement[] {
    const statements: NginxStatement[] = [];
    const stack: NginxStatement[] = [];
    let words: string[] = [];
    let word: string | undefined;
    let start = -1;
    const endWord = () => {
        if (word !== undefined) words.push(word);
        word = undefined;
    };
    const startWord = (i: number) => {
        if (words.length === 0 && word === undefined) start = i;
        word ??= "";
    };
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === "#" && word === undefined) {
            while (i < text.length && text[i] !== "\n") i++;
        } else if (c === '"' || c === "'") {
            startWord(i);
            for (i++; i < text.length && text[i] !== c; i++) {
                if (text[i] === "\\" && i + 1 < text.length) i++;
                word += text[i];
            }
        } else if (c === "$" && text[i + 1] === "{") {
            startWord(i);
            const close = text.indexOf("}", i);
            word += text.slice(i, close < 0 ? text.length : close + 1);
            i = close < 0 ? text.length : close;
        } else if (/\s/.test(c)) {
            endWord();
        } else if (c === ";" || c === "{") {
            endWord();
            if (words.length === 0) throw new Error(`nginx config: '${c}' without a directive at offset ${i}`);
            const s: NginxStatement = {
                name: words[0],
                args: words.slice(1),
                depth: stack.length,
                start,
                open: c === "{" ? i : undefined,
                parent: stack[stack.length - 1],
            };
            statements.push(s);
            if (c === "{") stack.push(s);
            words = [];
        } else if (c === "}") {
            endWord();
            if (words.length > 0) throw new Error(`nginx config: directive "${words[0]}" is not terminated by ";"`);
            if (stack.pop() === undefined) throw new Error(`nginx config: unexpected "}" at offset ${i}`);
        } else {
            startWord(i);
            word += c;
        }
    }
    endWord();
    if (words.length > 0) throw new Error(`nginx config: directive "${words[0]}" is not terminated by ";"`);
    if (stack.length > 0) throw new Error(`nginx config: block "${stack[stack.length - 1].name}" is not closed`);
    return statements;
}

/** A `listen` address: host (IPv4 literal) and port. */
export interface ListenAddress {
    readonly host: string;
    readonly port: number;
}

/**
 * The addresses of every `listen` directive (http and stream). Throws for a listen without an
 * explicit 127.0.0.0/8 address: e2e servers listen on loopback only.
 */
export function listenAddresses(config: string): ListenAddress[] {
    return parseNginxConfig(config)
        .filter((s) => s.name === "listen")
        .map((s) => {
            const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(s.args[0] ?? "");
            if (m === null) {
                throw new Error(`listen ${s.args.join(" ")}: e2e nginx must listen on an explicit 127.0.0.0/8 address (host:port)`);
            }
            assertLoopbackV4(m[1], "nginx listen address");
            return { host: m[1], port: Number(m[2]) };
        });
}

// ---------------------------------------------------------------- config preparation

/** HTTP temp path directives and the module each belongs to ("" = always compiled in). */
const HTTP_TEMP_PATHS: ReadonlyArray<readonly [string, string]> = [
    ["client_body_temp_path", ""],
    ["proxy_temp_path", "proxy"],
    ["fastcgi_temp_path", "fastcgi"],
    ["uwsgi_temp_path", "uwsgi"],
    ["scgi_temp_path", "scgi"],
];

function quoted(s: string): string {
    if ([...s].some((ch) => ch === "$" || (ch !== "\n" && ch.charCodeAt(0) < 0x20))) {
        throw new Error(`nginx string ${JSON.stringify(s)}: '$' and control characters are not supported`);
    }
    return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/**
 * The config as it is run under `prefix`: adds what keeps nginx inside the prefix and working with
 * this nginx build, and nothing else. Directives the config already sets are left alone.
 * - `load_module .../ngx_stream_module.so;` first when the config has a top-level `stream` block
 *   and the stream module is dynamic. Debian builds stream as a module (package
 *   libnginx-mod-stream; /etc/nginx/modules-enabled loads it for the system nginx, but our
 *   `-c` config does not include that); the official nginx image has it built in, where a
 *   load_module line would be wrong, so it is added only when `nginx -V` says `--with-stream=dynamic`.
 * - `pid` and `lock_file` in the prefix (the compiled-in defaults are under /run and /var/lock).
 * - in a top-level `http` block: every `*_temp_path` and an `access_log` in the prefix (the
 *   compiled-in defaults are /var/lib/nginx/* and /var/log/nginx/access.log).
 * The error log goes to stderr (`-e stderr`), captured by the process handle.
 */
export function prepareNginxConfig(config: string, prefix: string, info: NginxBuildInfo): string {
    const statements = parseNginxConfig(config);
    const top = statements.filter((s) => s.depth === 0);
    const has = (name: string) => top.some((s) => s.name === name);
    const head: string[] = [];
    if (top.some((s) => s.name === "stream" && s.open !== undefined)) {
        const loaded = top.some((s) => s.name === "load_module" && s.args.some((a) => a.includes("ngx_stream_module")));
        if (info.streamDynamic && !loaded) {
            // Debian: stream is a dynamic module (libnginx-mod-stream); the official image builds it in.
            const so = path.join(info.modulesPath, "ngx_stream_module.so");
            if (!fs.existsSync(so)) {
                throw new Error(
                    `nginx ${info.version} builds stream as a dynamic module but ${so} is missing: install libnginx-mod-stream (scripts/system-packages.sh)`,
                );
            }
            head.push(`load_module ${quoted(so)};`);
        } else if (!info.streamBuiltIn && !info.streamDynamic && !loaded) {
            throw new Error(`nginx ${info.version} was built without the stream module (no --with-stream in nginx -V)`);
        }
    }
    if (!has("pid")) head.push(`pid ${quoted(path.join(prefix, "nginx.pid"))};`);
    if (!has("lock_file")) head.push(`lock_file ${quoted(path.join(prefix, "nginx.lock"))};`);

    let body = config;
    const http = top.find((s) => s.name === "http" && s.open !== undefined);
    if (http?.open !== undefined) {
        const inHttp = statements.filter((s) => s.parent === http).map((s) => s.name);
        const add: string[] = [];
        for (const [directive, module] of HTTP_TEMP_PATHS) {
            if (module !== "" && info.httpModulesWithout.includes(module)) continue;
            if (!inHttp.includes(directive))
                add.push(`${directive} ${quoted(path.join(prefix, "temp", directive.replace(/_temp_path$/, "")))};`);
        }
        if (!inHttp.includes("access_log")) add.push(`access_log ${quoted(path.join(prefix, "logs", "access.log"))};`);
        if (add.length > 0) {
            const at = http.open + 1;
            body = `${config.slice(0, at)}\n    # added by the e2e harness: keep nginx's files inside its prefix\n${add.map((l) => `    ${l}`).join("\n")}\n${config.slice(at)}`;
        }
    }
    return head.length > 0 ? `# added by the e2e harness (test/e2e/support/nginx.ts)\n${head.join("\n")}\n${body}` : body;
}

function numbered(text: string): string {
    return text
        .split("\n")
        .map((l, i) => `${String(i + 1).padStart(4)}  ${l}`)
        .join("\n");
}

// ---------------------------------------------------------------- running nginx

export interface StartNginxOptions {
    /** Name for messages and logs (default "nginx"). */
    readonly name?: string;
    /**
     * Prefix directory (created if missing; must be inside a `makeTempDir` dir to be cleaned up).
     * Default: a fresh `makeTempDir`.
     */
    readonly prefix?: string;
    /** Readiness timeout (default 60 s). */
    readonly readyTimeoutMs?: number;
}

/** A running nginx started by `startNginx`. */
export interface NginxInstance {
    readonly name: string;
    /** The prefix directory (`-p`); logs/ and temp/ are inside. */
    readonly prefix: string;
    /** The config file nginx runs. */
    readonly confPath: string;
    /** The config as run (after `prepareNginxConfig`). */
    readonly config: string;
    /** The addresses of its `listen` directives (all accept connections once started). */
    readonly listens: ListenAddress[];
    /**
     * The master process. Its stdout and stderr (what the config logs to /dev/stdout and
     * /dev/stderr, and the error log via `-e stderr`) go to `<prefix>/logs/process.log`: `process.output()`.
     */
    readonly process: ProcessHandle;
    /** Reads a file relative to the prefix ("" if missing), e.g. "logs/access.log". */
    readPrefixFile(relative: string): string;
    /** SIGTERM (fast shutdown), SIGKILL after the grace period. */
    stop(): Promise<ProcessExit>;
}

/**
 * Runs `nginx -t` on a prepared config file; throws with nginx's own error text (and the
 * numbered config) if it is rejected.
 */
export async function checkNginxConfig(prefix: string, confPath: string): Promise<void> {
    // Run with a real file as stderr: a config that logs to /dev/stderr cannot open a socket.
    const r = await runToCompletion(
        NGINX_BIN,
        ["-p", `${prefix}/`, "-c", confPath, "-e", "stderr", "-t"],
        path.join(prefix, "logs", "nginx-t.log"),
    );
    if (r.exitCode !== 0) {
        const config = fs.existsSync(confPath) ? fs.readFileSync(confPath, "utf8") : "";
        throw new Error(
            `nginx -t rejected ${confPath} (exit ${r.exitCode ?? r.signal}):\n${r.output.trim()}\n--- config ---\n${numbered(config)}`,
        );
    }
}

/**
 * Starts nginx from `config`: writes the prepared config (see `prepareNginxConfig`) to
 * `<prefix>/nginx.conf`, checks it with `nginx -t`, runs
 * `nginx -p <prefix>/ -c <conf> -e stderr -g 'daemon off;'` and resolves once every `listen`
 * address accepts TCP connections and nginx has written its pid file (which it does only after
 * binding all of them). Every listen must be an explicit 127.0.0.0/8 host:port.
 * Rejects with nginx's error output if the config is invalid or nginx exits (e.g. a port is taken:
 * the message then contains "Address already in use", see `isAddressInUse`).
 */
export async function startNginx(config: string, options: StartNginxOptions = {}): Promise<NginxInstance> {
    const name = options.name ?? "nginx";
    const listens = listenAddresses(config);
    const info = await nginxBuildInfo();
    const prefix = options.prefix ?? (await makeTempDir(name));
    await fs.promises.mkdir(path.join(prefix, "logs"), { recursive: true });
    await fs.promises.mkdir(path.join(prefix, "temp"), { recursive: true });
    // Workers run as an unprivileged user when nginx runs as root and must reach temp/ (nginx
    // chowns the temp dirs to that user); mkdtemp makes 0700 dirs. Private keys stay 0600.
    await fs.promises.chmod(prefix, 0o755);
    const prepared = prepareNginxConfig(config, prefix, info);
    const confPath = path.join(prefix, "nginx.conf");
    await fs.promises.writeFile(confPath, prepared);
    await checkNginxConfig(prefix, confPath);

    const preparedStatements = parseNginxConfig(prepared);
    const daemonSet = preparedStatements.some((s) => s.depth === 0 && s.name === "daemon");
    // nginx writes its pid file after it has bound every listen socket (it retries a taken port
    // for a few seconds, then exits), so a connectable port alone could be someone else's.
    const pidArg = preparedStatements.find((s) => s.depth === 0 && s.name === "pid")?.args[0] ?? "";
    const pidFile = path.resolve(prefix, pidArg);
    const args = ["-p", `${prefix}/`, "-c", confPath, "-e", "stderr", ...(daemonSet ? [] : ["-g", "daemon off;"])];
    const handle = await startProcess(NGINX_BIN, args, {
        name,
        logFile: path.join(prefix, "logs", "process.log"),
        readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
        readyCheck: async (h) => {
            if (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, "utf8").trim() !== String(h.pid)) return false;
            for (const l of listens) {
                if (!(await canConnect(l.host, l.port))) return false;
            }
            return true;
        },
    });
    return {
        name,
        prefix,
        confPath,
        config: prepared,
        listens,
        process: handle,
        readPrefixFile: (relative) => {
            const file = path.join(prefix, relative);
            return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
        },
        stop: () => handle.stop(),
    };
}

// ---------------------------------------------------------------- config generators

/** One TLS server block. */
export interface TlsServerOptions {
    /** "127.x.y.z:PORT". */
    readonly listen: string;
    /** server_name (default "_"). */
    readonly serverName?: string;
    readonly certFile: string;
    readonly keyFile: string;
    /** CA bundle for client certificates; with it, `ssl_verify_client on`. */
    readonly caFile?: string;
    /** `ssl_verify_depth` (nginx default 1: client certs signed directly by the CA). */
    readonly verifyDepth?: number;
    /** Response body for every request (status 200, text/plain). No '$'. */
    readonly body: string;
}

const LOG_FORMAT = [
    "    # The seed's log format, plus what the TLS tests look at.",
    "    log_format main '$remote_addr - $remote_user [$time_local]  $status '",
    '        \'"$request" $body_bytes_sent "$http_referer" \'',
    '        \'"$http_user_agent" "$http_x_forwarded_for" \'',
    '        \'sni="$ssl_server_name" client_verify=$ssl_client_verify client_dn="$ssl_client_s_dn"\';',
    "    access_log logs/access.log main;",
];

function serverBlock(s: TlsServerOptions): string[] {
    const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(s.listen);
    if (m === null) throw new Error(`listen ${JSON.stringify(s.listen)}: expected "127.x.y.z:PORT"`);
    assertLoopbackV4(m[1], "listen address");
    return [
        "    server {",
        `        listen ${s.listen} ssl;`,
        `        server_name ${s.serverName ?? "_"};`,
        `        ssl_certificate ${quoted(s.certFile)};`,
        `        ssl_certificate_key ${quoted(s.keyFile)};`,
        ...(s.caFile !== undefined
            ? [
                  `        ssl_client_certificate ${quoted(s.caFile)};`,
                  "        ssl_verify_client on;",
                  ...(s.verifyDepth !== undefined ? [`        ssl_verify_depth ${s.verifyDepth};`] : []),
              ]
            : []),
        "        location / {",
        "            default_type text/plain;",
        `            return 200 ${quoted(s.body)};`,
        "        }",
        "    }",
    ];
}

/** An http config with one TLS server block per entry (client certificates required where `caFile` is set). */
export function tlsServersConfig(servers: TlsServerOptions[]): string {
    return ["events {", "}", "", "http {", ...LOG_FORMAT, "", ...servers.flatMap(serverBlock), "}", ""].join("\n");
}

export interface MutualTlsServerConfigOptions {
    /** "127.x.y.z:PORT". */
    readonly listen: string;
    /** server_name, e.g. my-nginx.mesh-external.svc.cluster.local. */
    readonly serverName: string;
    readonly certFile: string;
    readonly keyFile: string;
    /** CA that client certificates must chain to. */
    readonly caFile: string;
    /** Response body (status 200, text/plain). No '$'. */
    readonly body: string;
}

/**
 * The mutual-TLS nginx of Istio's egress "mutual TLS origination" guide (seed 001's nginx.conf:
 * `listen 443 ssl`, `server_name my-nginx.mesh-external.svc.cluster.local`, `ssl_certificate`,
 * `ssl_certificate_key`, `ssl_client_certificate <CA>`, `ssl_verify_client on`), listening on a
 * loopback address and answering a fixed body instead of serving /usr/share/nginx/html. Logs go
 * to `logs/access.log` under the prefix; the error log to stderr.
 */
export function mutualTlsServerConfig(o: MutualTlsServerConfigOptions): string {
    return tlsServersConfig([{ ...o }]);
}
