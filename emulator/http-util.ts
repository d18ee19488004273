/** Small HTTP helpers for the emulator's server: bounded bodies, JSON answers, typed errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';

export const MAX_BODY_BYTES = 16 * 1024 * 1024;

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

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'request body is not valid JSON');
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
