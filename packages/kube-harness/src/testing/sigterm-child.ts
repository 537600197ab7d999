// Started by cluster.test.ts: starts a cluster, prints its pids and directory as one JSON line, then waits to be
// killed with SIGTERM; the harness's signal handler must take etcd and kube-apiserver down with it.
import { launchCluster } from '../cluster.js';

const c = await launchCluster();
console.log(JSON.stringify({ etcdPid: c.etcdPid, apiserverPid: c.apiserverPid, dir: c.dir }));
setInterval(() => {}, 60_000);
