import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';

// Every etcd and kube-apiserver this process started and has not stopped yet, so a test that fails, forgets
// stop() or is interrupted does not leave them running. Each is spawned detached, as its own process group.
interface Tracked {
  pid: number;
  /** state directory to remove with it, unless kept */
  dir?: string;
}
const running = new Map<number, Tracked>();
let handlersInstalled = false;

function killGroupSync(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function killAllSync(): void {
  for (const t of running.values()) killGroupSync(t.pid, 'SIGKILL');
  for (const t of running.values()) if (t.dir) rmSync(t.dir, { recursive: true, force: true });
  running.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllSync();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // With no other listener left, dying by the signal is what the process would have done without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

export interface SpawnedProcess {
  /** 'etcd' or 'kube-apiserver', for messages */
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** resolves with the exit code (or signal) once the process has exited */
  readonly exited: Promise<string>;
}

/**
 * Starts `binary` as the leader of its own process group with stdout and stderr appended to `logFile` (a file, not a
 * pipe: a background cluster outlives the command that started it). `background` processes are not cleaned up when
 * this process exits.
 */
export function spawnLogged(
  name: string,
  binary: string,
  args: readonly string[],
  logFile: string,
  options: { background: boolean; cleanupDir?: string },
): SpawnedProcess {
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary} (see ${logFile})`);
  // Unreferenced: a test file that never calls stop() still lets its process exit, and the exit handler kills it.
  child.unref();
  if (!options.background) {
    installHandlers();
    running.set(pid, options.cleanupDir === undefined ? { pid } : { pid, dir: options.cleanupDir });
    watchParent(pid, options.cleanupDir);
  }
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(pid);
      resolve(signal ?? `exit code ${code}`);
    });
    child.on('error', (err) => {
      running.delete(pid);
      resolve(`spawn error: ${err.message}`);
    });
  });
  return { name, child, pid, logFile, exited };
}

/**
 * The exit and signal handlers cannot run when this process is SIGKILLed (a test runner's hard timeout, the OOM
 * killer), so a shell watchdog in its own process group checks every second that we are alive, and otherwise kills
 * the engine's group and removes the state directory. It ends by itself once the engine has exited.
 */
function watchParent(pid: number, cleanupDir: string | undefined): void {
  const rm = cleanupDir === undefined ? '' : ` rm -rf "$3";`;
  const script = `while kill -0 "$2" 2>/dev/null; do if ! kill -0 "$1" 2>/dev/null; then kill -s KILL -- "-$2" 2>/dev/null;${rm} exit 0; fi; sleep 1; done`;
  const watchdog = spawn(
    'sh',
    ['-c', script, 'palisade-watchdog', String(process.pid), String(pid), cleanupDir ?? ''],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  watchdog.on('error', () => {});
  watchdog.unref();
}

/** Forget a process (it was stopped on purpose); the directory is then the caller's to remove. */
export function untrack(pid: number): void {
  running.delete(pid);
}

/** True while `pid` exists and is not a zombie (an exited child not yet reaped still answers kill(pid, 0)). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces or parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM to the process group, then SIGKILL after `graceMs`; resolves once `pid` is gone. Works for processes that
 * are not our children too (`pnpm cluster down`), which is why it polls rather than waiting for an exit event.
 */
export async function stopProcessGroup(pid: number, graceMs = 5_000): Promise<void> {
  killGroupSync(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isProcessRunning(pid) && Date.now() < deadline) await sleep(50);
  if (isProcessRunning(pid)) {
    killGroupSync(pid, 'SIGKILL');
    const hard = Date.now() + 5_000;
    while (isProcessRunning(pid) && Date.now() < hard) await sleep(50);
  }
  if (isProcessRunning(pid)) throw new Error(`process ${pid} did not exit after SIGKILL`);
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
