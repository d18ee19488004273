/** Small HTTP helpers for the emulator's server: bounded bodies, JSON answers, typed errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** An HTTP failure with a status and a machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * How deep a JSON body may nest. The emulator's own code (EJSON, masking, the store, the
 * event checks) walks values recursively, so a body nested thousands deep would overflow
 * its stack (a 500 from the emulator itself); it is refused before it is parsed.
 */
const MAX_JSON_DEPTH = 256;

/** The nesting depth of JSON text, by one linear scan (no recursion, strings skipped); stops once past `limit`. */
function jsonTextDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) return {};
  const text = body.toString('utf8');
  if (jsonTextDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    throw new HttpError(400, 'JSON_TOO_DEEP', `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'request body is not valid JSON');
  }
}

/**
 * The emulator has no authentication and listens on loopback only. Its console and its
 * `/v1` API also refuse requests whose Host is not loopback (a web page that rebinds its
 * DNS name to 127.0.0.1) and writes that are not JSON (a cross-site form or `fetch`
 * without a preflight can only send text/plain, form or multipart bodies — or none; a
 * JSON content type needs a preflight the emulator never grants).
 */
export function checkLocalJsonRequest(req: IncomingMessage): void {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host))
    throw new HttpError(403, 'FORBIDDEN', 'the emulator answers loopback hosts only');
  if ((req.method === 'POST' || req.method === 'PUT') && !(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
  }
}

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const value = await readJson(req);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new HttpError(400, 'INVALID_ARGUMENT', 'request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Parses multipart/form-data into text fields and file (binary) fields. */
export function readMultipart(req: IncomingMessage): Promise<{ fields: Record<string, string>; files: Record<string, Buffer> }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: Record<string, Buffer> = {};
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: MAX_BODY_BYTES, fieldSize: MAX_BODY_BYTES } });
    } catch (err) {
      reject(new HttpError(400, 'INVALID_MULTIPART', (err as Error).message));
      return;
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        files[name] = Buffer.concat(chunks);
      });
    });
    parser.on('close', () => resolve({ fields, files }));
    parser.on('error', (err) => reject(new HttpError(400, 'INVALID_MULTIPART', (err as Error).message)));
    req.pipe(parser);
  });
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof HttpError) sendJson(res, err.status, { error: { code: err.code, message: err.message } });
  else sendJson(res, 500, { error: { code: 'EMULATOR_ERROR', message: err instanceof Error ? err.message : String(err) } });
}
