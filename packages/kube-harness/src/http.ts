import type { IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';

export interface RawResponse {
  status: number;
  /** parsed JSON when the server says JSON, else the text */
  body: unknown;
  warnings: string[];
  headers: Record<string, string | string[] | undefined>;
}

export interface RawRequest {
  method: string;
  url: URL;
  token: string;
  contentType: string;
  body?: unknown;
  timeoutMs: number;
}

export function kubeAgent(ca: string): Agent {
  return new Agent({ ca, keepAlive: true, maxSockets: 32 });
}

export function sendRequest(agent: Agent, req: RawRequest): Promise<RawResponse> {
  const payload =
    req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  const headers: Record<string, string> = {
    authorization: `Bearer ${req.token}`,
    accept: 'application/json',
  };
  if (payload !== undefined) {
    headers['content-type'] = req.contentType;
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const r = httpsRequest(req.url, { method: req.method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const type = String(res.headers['content-type'] ?? '');
        let body: unknown = text;
        if (type.includes('json') && text.length > 0) {
          try {
            body = JSON.parse(text);
          } catch {
            // keep the text: a truncated or non-JSON body is still worth showing
          }
        }
        resolve({
          status: res.statusCode ?? 0,
          body,
          warnings: warningTexts(res),
          headers: { ...res.headers },
        });
      });
    });
    r.setTimeout(req.timeoutMs, () => {
      r.destroy(new Error(`${req.method} ${req.url.pathname}: no response after ${req.timeoutMs} ms`));
    });
    r.on('error', reject);
    if (payload !== undefined) r.write(payload);
    r.end();
  });
}

// Node joins repeated unknown headers with ", ", which is ambiguous when a warning text holds a comma; the raw
// headers keep each one apart and in order.
function warningTexts(res: IncomingMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    if (res.rawHeaders[i]?.toLowerCase() === 'warning')
      out.push(...parseWarningHeader(res.rawHeaders[i + 1] ?? ''));
  }
  return out;
}

/**
 * RFC 7234 warning values: `code SP agent SP "text" [SP "date"]`, comma-separated. Kubernetes sends
 * `299 - "text"`, one per header line; the text's `\"` and `\\` are unescaped.
 */
export function parseWarningHeader(value: string): string[] {
  const out: string[] = [];
  const re = /\s*\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"(?:[^"\\]|\\.)*")?\s*(?:,|$)/y;
  let m: RegExpExecArray | null = re.exec(value);
  while (m !== null) {
    out.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
    if (re.lastIndex >= value.length) break;
    m = re.exec(value);
  }
  return out;
}
