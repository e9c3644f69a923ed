import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { KubeClient, KubeObject } from "./kubeClient";
import { freePort, pollUntil, ProcessHandle, startProcess } from "./processes";

// A throw-away Kubernetes control plane for the e2e tests: etcd, kube-apiserver and a
// kube-controller-manager running only the namespace and garbage-collector controllers (so a
// deleted Namespace really goes away). Everything listens on 127.0.0.1, on free ports, with its
// data on tmpfs (/dev/shm), and `stop()` kills it all and removes the data.
// There is no scheduler or kubelet: Pods never run, so the test stack sets pulumi.com/skipAwait.

export interface TestCluster {
    readonly server: string;
    readonly kubeconfigPath: string;
    readonly client: KubeClient;
    /** Where the servers' logs are, for a failing test's report. */
    readonly logDir: string;
    /** Stops kube-apiserver (etcd keeps the data) and waits until it is down. */
    stopApiServer(): Promise<void>;
    /** Starts kube-apiserver again with the same data, certificates and port; waits for /readyz. */
    startApiServer(): Promise<void>;
    stop(): Promise<void>;
}

export interface StartClusterOptions {
    /** CRD files to install, e.g. Istio's ../shared/istio/crd-all.gen.yaml and the Gateway API's. */
    readonly crdFiles?: string[];
}

const TOKEN = crypto.randomBytes(24).toString("hex");

export async function startCluster(opts: StartClusterOptions = {}): Promise<TestCluster> {
    const base = fs.existsSync("/dev/shm") ? "/dev/shm" : undefined;
    const dir = fs.mkdtempSync(path.join(base ?? os.tmpdir(), "istio-egress-e2e-"));
    const logDir = path.join(dir, "logs");
    fs.mkdirSync(logDir);
    const procs: ProcessHandle[] = [];
    const run = async (cmd: string, args: string[]) => {
        procs.push(await startProcess(cmd, args, { logFile: path.join(logDir, `${cmd}.log`), stopGraceMs: 5_000 }));
    };
    const stop = async () => {
        // kube-apiserver can take more than 20 s to drain on SIGTERM: the handle SIGKILLs after 5 s.
        for (const p of procs.reverse()) {
            await p.stop();
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        // etcd
        const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
        await run("etcd", [
            "--name",
            "e2e",
            "--data-dir",
            path.join(dir, "etcd"),
            "--listen-client-urls",
            `http://127.0.0.1:${etcdClient}`,
            "--advertise-client-urls",
            `http://127.0.0.1:${etcdClient}`,
            "--listen-peer-urls",
            `http://127.0.0.1:${etcdPeer}`,
            "--initial-advertise-peer-urls",
            `http://127.0.0.1:${etcdPeer}`,
            "--initial-cluster",
            `e2e=http://127.0.0.1:${etcdPeer}`,
            "--unsafe-no-fsync",
            "--log-level",
            "warn",
        ]);
        await waitFor("etcd", async () => (await httpGetStatus(`http://127.0.0.1:${etcdClient}/health`)) === 200, 60_000);

        // kube-apiserver: static token auth, AlwaysAllow, a self-signed serving certificate.
        const apiPort = await freePort();
        const saKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(path.join(dir, "sa.key"), saKey.privateKey.export({ type: "pkcs8", format: "pem" }));
        fs.writeFileSync(path.join(dir, "sa.pub"), saKey.publicKey.export({ type: "spki", format: "pem" }));
        fs.writeFileSync(path.join(dir, "tokens.csv"), `${TOKEN},e2e-admin,e2e-admin,system:masters\n`);
        const certDir = path.join(dir, "pki");
        const apiArgs = [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--cert-dir=${certDir}`,
            `--token-auth-file=${path.join(dir, "tokens.csv")}`,
            "--authorization-mode=AlwaysAllow",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            `--service-account-key-file=${path.join(dir, "sa.pub")}`,
            `--service-account-signing-key-file=${path.join(dir, "sa.key")}`,
            "--service-cluster-ip-range=10.96.0.0/16",
            "--enable-priority-and-fairness=false",
            "--profiling=false",
            "--v=0",
        ];
        await run("kube-apiserver", apiArgs);
        let apiServer = procs[procs.length - 1] as ProcessHandle;
        const server = `https://127.0.0.1:${apiPort}`;
        const caFile = path.join(certDir, "apiserver.crt");
        await waitFor("kube-apiserver serving certificate", async () => fs.existsSync(caFile), 120_000);
        const client = new KubeClient(server, TOKEN, fs.readFileSync(caFile, "utf8"));
        await waitFor(
            "kube-apiserver /readyz",
            async () => (await client.request("GET", "/readyz").catch(() => ({ status: 0 }))).status === 200,
            180_000,
        );

        const kubeconfigPath = path.join(dir, "kubeconfig");
        fs.writeFileSync(
            kubeconfigPath,
            yaml.dump({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "e2e", cluster: { server, "certificate-authority": caFile } }],
                users: [{ name: "e2e-admin", user: { token: TOKEN } }],
                contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e-admin", namespace: "default" } }],
                "current-context": "e2e",
            }),
        );

        await run("kube-controller-manager", [
            `--kubeconfig=${kubeconfigPath}`,
            "--controllers=namespace-controller,garbage-collector-controller",
            "--leader-elect=false",
            "--use-service-account-credentials=false",
            "--bind-address=127.0.0.1",
            "--secure-port=0",
            "--v=0",
        ]);

        for (const file of opts.crdFiles ?? []) {
            await installCrds(client, file);
        }
        await waitFor("namespace default", async () => (await client.find("/api/v1/namespaces/default")) !== undefined, 60_000);
        const ready = () =>
            waitFor(
                "kube-apiserver /readyz",
                async () => (await client.request("GET", "/readyz").catch(() => ({ status: 0 }))).status === 200,
                180_000,
            );
        const stopApiServer = async () => {
            await apiServer.stop();
            procs.splice(procs.indexOf(apiServer), 1);
        };
        const startApiServer = async () => {
            await run("kube-apiserver", apiArgs);
            apiServer = procs[procs.length - 1] as ProcessHandle;
            await ready();
        };
        return { server, kubeconfigPath, client, logDir, stopApiServer, startApiServer, stop };
    } catch (e) {
        const logs = readLogs(logDir);
        await stop();
        throw new Error(`test cluster did not start: ${(e as Error).message}\n${logs}`);
    }
}

/** Creates every CRD of a multi-document YAML file and waits until each is Established. */
export async function installCrds(client: KubeClient, file: string): Promise<string[]> {
    const docs = yaml
        .loadAll(fs.readFileSync(file, "utf8"))
        .filter((d): d is KubeObject => typeof d === "object" && d !== null && (d as KubeObject).kind === "CustomResourceDefinition");
    const names: string[] = [];
    for (const crd of docs) {
        await client.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        names.push(crd.metadata.name);
    }
    for (const name of names) {
        await waitFor(
            `CRD ${name} Established`,
            async () => {
                const crd = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
                    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
                );
                return (crd.status?.conditions ?? []).some((c) => c.type === "Established" && c.status === "True");
            },
            60_000,
        );
    }
    return names;
}

function readLogs(logDir: string): string {
    try {
        return fs
            .readdirSync(logDir)
            .map((f) => {
                const text = fs.readFileSync(path.join(logDir, f), "utf8");
                return `--- ${f} (last 2000 chars)\n${text.slice(-2000)}`;
            })
            .join("\n");
    } catch {
        return "";
    }
}

function httpGetStatus(url: string): Promise<number> {
    return fetch(url).then(
        (r) => r.status,
        () => 0,
    );
}

/** Polls `check` until it returns true; generous timeouts because machines are shared. */
function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    return pollUntil(check, what, timeoutMs, 250);
}
