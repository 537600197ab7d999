// Started by cluster.test.ts: starts a cluster, prints its pids and directory as one JSON line, then waits to be
// killed (SIGTERM: the harness's signal handler; SIGKILL: its watchdog) — etcd and kube-apiserver must go with it.
import { launchCluster } from '../cluster.js';

const c = await launchCluster();
console.log(JSON.stringify({ etcdPid: c.etcdPid, apiserverPid: c.apiserverPid, dir: c.dir }));
setInterval(() => {}, 60_000);
