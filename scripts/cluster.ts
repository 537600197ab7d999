// `pnpm cluster up | down | status`: one etcd + kube-apiserver in the background for people (tests use
// startCluster from @palisade/kube-harness). `up` prints progress to stderr and `export KUBECONFIG=<admin
// kubeconfig>` as its last stdout line, so `eval "$(pnpm -s cluster up)"` works.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { launchCluster } from '../packages/kube-harness/src/cluster.js';
import { isProcessRunning, stopProcessGroup } from '../packages/kube-harness/src/processes.js';

interface ClusterState {
  server: string;
  dir: string;
  kubeconfig: string;
  userKubeconfig: string;
  etcdPid: number;
  apiserverPid: number;
  version: string;
  startedAt: string;
}

/** PALISADE_CLUSTER_DIR, else ${XDG_STATE_HOME:-~/.local/state}/palisade/cluster */
function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PALISADE_CLUSTER_DIR) return env.PALISADE_CLUSTER_DIR;
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'palisade', 'cluster');
}

const dir = stateDir();
const stateFile = join(dir, 'state.json');

function readState(): ClusterState | undefined {
  if (!existsSync(stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

const exportLine = (s: ClusterState) => `export KUBECONFIG=${s.kubeconfig}`;
const running = (s: ClusterState) => isProcessRunning(s.etcdPid) && isProcessRunning(s.apiserverPid);

async function stopState(s: ClusterState): Promise<void> {
  for (const pid of [s.apiserverPid, s.etcdPid]) if (isProcessRunning(pid)) await stopProcessGroup(pid);
}

async function up(): Promise<void> {
  const existing = readState();
  if (existing && running(existing)) {
    console.error(
      `a cluster is already running at ${existing.server} (state ${dir}); \`pnpm cluster down\` stops it`,
    );
    console.log(exportLine(existing));
    return;
  }
  if (existing) {
    console.error(`removing a stopped cluster's state in ${dir}`);
    await stopState(existing);
  }
  console.error(`starting etcd and kube-apiserver (state ${dir})`);
  const c = await launchCluster({ dir, background: true, keep: true, log: (l) => console.error(l) });
  const state: ClusterState = {
    server: c.server,
    dir: c.dir,
    kubeconfig: c.admin.kubeconfig,
    userKubeconfig: c.user.kubeconfig,
    etcdPid: c.etcdPid,
    apiserverPid: c.apiserverPid,
    version: c.version,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  console.error(
    `kube-apiserver ${c.version} at ${c.server} (pids etcd ${c.etcdPid}, kube-apiserver ${c.apiserverPid})`,
  );
  console.error(`unprivileged user palisade-user: KUBECONFIG=${c.user.kubeconfig}; logs in ${dir}/*.log`);
  console.log(exportLine(state));
}

async function down(): Promise<void> {
  const s = readState();
  if (s) {
    await stopState(s);
    console.error(`stopped the cluster at ${s.server}`);
  } else {
    console.error('no cluster state found; nothing to stop');
  }
  rmSync(dir, { recursive: true, force: true });
}

function status(): void {
  const s = readState();
  if (!s) {
    console.error(`no cluster (state ${dir})`);
    process.exitCode = 1;
    return;
  }
  if (!running(s)) {
    console.error(
      `the cluster at ${s.server} is not running (state ${dir}); \`pnpm cluster down\` cleans up`,
    );
    process.exitCode = 1;
    return;
  }
  console.error(`kube-apiserver ${s.version} at ${s.server}, up since ${s.startedAt}`);
  console.log(exportLine(s));
}

const command = process.argv[2];
try {
  if (command === 'up') await up();
  else if (command === 'down') await down();
  else if (command === 'status') status();
  else {
    console.error('usage: pnpm cluster up | down | status');
    process.exitCode = 2;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
// The HTTPS agent's idle sockets must not keep `up` waiting; the cluster itself runs on, detached.
process.exit();
