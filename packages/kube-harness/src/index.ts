export {
  type KubeCluster,
  type KubeRequest,
  type KubeResponse,
  type KubeUser,
  type StartClusterOptions,
  startCluster,
} from './cluster.js';
export { parseWarningHeader } from './http.js';
export { isProcessRunning } from './processes.js';
