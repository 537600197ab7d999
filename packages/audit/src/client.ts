import { existsSync } from 'node:fs';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * The API client of the audit: client-node's KubeConfig for loading credentials as kubectl does (files, contexts,
 * exec plugins, in-cluster service-account tokens), and plain JSON over HTTPS for requests, so the validator sees
 * each object exactly as the API server sent it (client-node's typed APIs turn timestamps into Date objects and drop
 * fields they do not know).
 */

export interface KubeClientOptions {
  /** A kubeconfig file (`--kubeconfig`); default: `KUBECONFIG`, then `~/.kube/config`, then in-cluster credentials. */
  kubeconfig?: string;
  /** A context of the kubeconfig (`--context`); default: its current context. */
  context?: string;
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** From the server root: `/api/v1/pods`. */
  path: string;
  query?: Record<string, string>;
  /** Sent as JSON, or as is when a string. */
  body?: unknown;
  /** @default 'application/json' */
  contentType?: string;
  /** @default 60000 */
  timeoutMs?: number;
  /** Extra headers; `accept` here replaces the default `application/json`. */
  headers?: Record<string, string>;
}

/** A non-2xx answer of the API server: its status, its reason (`Forbidden`, `Expired`, `NotFound`) and message. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly path: string;
  /** The API's own message, without the request in front. */
  readonly apiMessage: string;

  constructor(status: number, body: unknown, path: string) {
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const reason = typeof fields.reason === 'string' && fields.reason !== '' ? fields.reason : undefined;
    const apiMessage =
      typeof fields.message === 'string'
        ? fields.message
        : typeof body === 'string' && body !== ''
          ? body.slice(0, 500)
          : `HTTP ${status}`;
    super(`${path}: ${status}${reason === undefined ? '' : ` ${reason}`}: ${apiMessage}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.path = path;
    this.apiMessage = apiMessage;
  }
}

/** One event of a watch stream, as the API server sends it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  /** The object; for ERROR, a Status (its `code` 410 when the resourceVersion is too old). */
  object: Record<string, unknown>;
}

export interface KubeWatchRequest {
  /** A collection: `/api/v1/pods`. */
  path: string;
  query?: Record<string, string>;
  /** Ends the watch (the promise then resolves). */
  signal?: AbortSignal;
  /**
   * The stream is taken for dead when nothing (no event, no bookmark) arrives for this long: a server that vanished
   * without closing the connection. @default 120000
   */
  idleTimeoutMs?: number;
}

/** What was loaded could not be used: no kubeconfig, a missing file, an unknown context. */
export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** client-node's last resort when it finds no configuration; a security tool should not guess a server. */
const CLIENT_NODE_FALLBACK = 'http://localhost:8080';

function loadKubeConfig(options: KubeClientOptions): { kubeConfig: KubeConfig; source: string } {
  const kubeConfig = new KubeConfig();
  let source: string;
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig))
      throw new KubeConfigError(`${options.kubeconfig}: no such kubeconfig file`);
    kubeConfig.loadFromFile(options.kubeconfig);
    source = options.kubeconfig;
  } else {
    kubeConfig.loadFromDefault();
    source = process.env.KUBECONFIG ? `KUBECONFIG (${process.env.KUBECONFIG})` : 'the default kubeconfig';
    if (kubeConfig.getCurrentCluster()?.name === 'inCluster') source = 'in-cluster service account';
    if (
      kubeConfig.getCurrentCluster()?.server === CLIENT_NODE_FALLBACK &&
      kubeConfig.currentContext === 'loaded-context'
    )
      throw new KubeConfigError(
        'no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account',
      );
  }
  if (options.context !== undefined) {
    if (!kubeConfig.getContextObject(options.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new KubeConfigError(
        `${source}: no context "${options.context}"${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  if (!kubeConfig.getCurrentCluster()?.server)
    throw new KubeConfigError(`${source}: the current context names no cluster with a server`);
  return { kubeConfig, source };
}

export class KubeClient {
  /** client-node's configuration, for its `Watch`. */
  readonly kubeConfig: KubeConfig;
  /** The API server's URL. */
  readonly server: string;
  /** Where the credentials came from, for messages. */
  readonly source: string;
  readonly #base: URL;
  #agent: Agent | undefined;
  /** Watches hold a connection each for minutes: their own pool, so they never starve requests of sockets. */
  #watchAgent: Agent | undefined;

  private constructor(kubeConfig: KubeConfig, source: string) {
    this.kubeConfig = kubeConfig;
    this.source = source;
    this.server = kubeConfig.getCurrentCluster()?.server ?? '';
    this.#base = new URL(this.server);
    if (this.#base.protocol !== 'https:')
      throw new KubeConfigError(
        `${source}: server ${this.server} is not https; Palisade only talks TLS to the API`,
      );
  }

  /** Credentials as kubectl finds them: `--kubeconfig`, `KUBECONFIG`, `~/.kube/config`, then in-cluster. */
  static async load(options: KubeClientOptions = {}): Promise<KubeClient> {
    const { kubeConfig, source } = loadKubeConfig(options);
    return new KubeClient(kubeConfig, source);
  }

  /** The context in use, for messages and report metadata. */
  get context(): string {
    return this.kubeConfig.getCurrentContext();
  }

  /**
   * TLS options and credentials for one request. Credentials are applied per request, since tokens rotate (a
   * projected service-account token, an exec plugin's); the TLS agent is made once and keeps connections alive.
   */
  async #options(pool: 'requests' | 'watches' = 'requests'): Promise<RequestOptions> {
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const agent = pool === 'requests' ? this.#agent : this.#watchAgent;
    if (agent === undefined) {
      const tls = {
        keepAlive: pool === 'requests',
        ...(pool === 'requests' ? { maxSockets: 16 } : {}),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.cert === undefined ? {} : { cert: options.cert }),
        ...(options.key === undefined ? {} : { key: options.key }),
        ...(options.rejectUnauthorized === undefined
          ? {}
          : { rejectUnauthorized: options.rejectUnauthorized }),
        ...(options.servername === undefined ? {} : { servername: options.servername }),
      };
      if (pool === 'requests') this.#agent = new Agent(tls);
      else this.#watchAgent = new Agent(tls);
    }
    return {
      agent: pool === 'requests' ? this.#agent : this.#watchAgent,
      headers: { ...options.headers },
      ...(options.auth === undefined ? {} : { auth: options.auth }),
    };
  }

  /** One request; resolves with the parsed JSON body for a 2xx answer, throws KubeApiError otherwise. */
  async request<T = unknown>(req: KubeRequest): Promise<{ status: number; body: T }> {
    const url = new URL(this.#base.pathname.replace(/\/$/, '') + req.path, this.#base);
    for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, value);
    const payload =
      req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const base = await this.#options();
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpsRequest(
        url,
        {
          ...base,
          method: req.method,
          headers: {
            ...base.headers,
            accept: 'application/json',
            'user-agent': 'palisade-audit',
            ...req.headers,
            ...(payload === undefined
              ? {}
              : {
                  'content-type': req.contentType ?? 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      // A whole-request deadline, not only an idle one: a list page must not hang the audit.
      const deadline = setTimeout(
        () => request.destroy(new Error(`${req.method} ${req.path}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      request.on('close', () => clearTimeout(deadline));
      request.on('error', reject);
      request.end(payload);
    });
    let body: unknown = text;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        if (status >= 200 && status < 300)
          throw new KubeApiError(status, `not JSON: ${text.slice(0, 200)}`, req.path);
      }
    }
    if (status < 200 || status >= 300) throw new KubeApiError(status, body, req.path);
    return { status, body: body as T };
  }

  /**
   * Watches a collection (`?watch=true`), calling `onEvent` for each event in order; resolves when the server ends
   * the stream (its `timeoutSeconds`) or `signal` aborts, rejects with KubeApiError for a non-2xx answer, and with
   * an Error when the stream breaks, stays silent past `idleTimeoutMs`, or carries a line that is not an event, and
   * with what `onEvent` throws.
   * client-node 1.4.0's Watch drops lines it cannot parse and the API's Status of a refused watch; a watch that
   * silently misses an event leaves a report wrong, so a bad line here ends the watch and the caller lists again.
   */
  async watch(req: KubeWatchRequest, onEvent: (event: WatchEvent) => void): Promise<void> {
    const url = new URL(this.#base.pathname.replace(/\/$/, '') + req.path, this.#base);
    for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, value);
    url.searchParams.set('watch', 'true');
    if (req.signal?.aborted) return;
    const base = await this.#options('watches');
    const idleTimeoutMs = req.idleTimeoutMs ?? 120_000;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        req.signal?.removeEventListener('abort', onAbort);
        request.destroy();
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => settle();
      const request = httpsRequest(
        url,
        {
          ...base,
          method: 'GET',
          headers: { ...base.headers, accept: 'application/json', 'user-agent': 'palisade-audit' },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let body: unknown = text;
              try {
                body = JSON.parse(text);
              } catch {}
              settle(new KubeApiError(status, body, req.path));
            });
            return;
          }
          let pending = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            pending += chunk;
            let newline = pending.indexOf('\n');
            while (newline >= 0 && !settled) {
              const line = pending.slice(0, newline).trim();
              pending = pending.slice(newline + 1);
              newline = pending.indexOf('\n');
              if (line === '') continue;
              let event: WatchEvent;
              try {
                event = JSON.parse(line) as WatchEvent;
              } catch {
                settle(new Error(`watch ${req.path}: not an event: ${line.slice(0, 200)}`));
                return;
              }
              if (
                typeof event?.type !== 'string' ||
                typeof event.object !== 'object' ||
                event.object === null
              ) {
                settle(new Error(`watch ${req.path}: not an event: ${line.slice(0, 200)}`));
                return;
              }
              try {
                onEvent(event);
              } catch (error) {
                // The caller ends the watch from its handler (an ERROR event): the watch rejects with its error.
                settle(error instanceof Error ? error : new Error(String(error)));
                return;
              }
            }
          });
          response.on('end', () =>
            pending.trim() === ''
              ? settle()
              : settle(new Error(`watch ${req.path}: the stream ended inside an event`)),
          );
          response.on('error', (error) => settle(error));
          // A connection closed before the end of the chunked body: the server went away (a restart).
          response.on('close', () =>
            settle(response.complete ? undefined : new Error(`watch ${req.path}: the connection was closed`)),
          );
        },
      );
      request.setTimeout(idleTimeoutMs, () =>
        settle(new Error(`watch ${req.path}: nothing received for ${idleTimeoutMs} ms`)),
      );
      request.on('error', (error) => settle(error));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      request.end();
    });
  }

  /** Closes idle keep-alive connections, so the process can exit. */
  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
    this.#watchAgent?.destroy();
    this.#watchAgent = undefined;
  }
}
