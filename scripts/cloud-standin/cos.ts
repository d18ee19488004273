/**
 * The part of COS (object storage) the CLI uses to upload a function's zip: the COS
 * SDK's `sliceUploadFile` (multipart: initiate, upload parts, complete; simple PUT
 * too) into SCF's temporary bucket, signed with the `Sign` that `GetTempCosInfo` gave
 * out. Answers in COS's XML; objects are kept by key for CreateFunction/UpdateFunctionCode.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CosStore {
  /** Objects by key (no leading slash). */
  objects: Map<string, Buffer>;
  /** Signatures handed out by GetTempCosInfo: the only ones an upload may carry. */
  signs: Set<string>;
  issueSign(): string;
  handle(req: IncomingMessage, body: Buffer, res: ServerResponse, bucket: string): string;
}

const xml = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/xml', ...headers });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
};
const etag = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;
const keyOf = (path: string) => decodeURIComponent(path).replace(/^\/+/, '');

export function cosStore(): CosStore {
  const objects = new Map<string, Buffer>();
  const signs = new Set<string>();
  const uploads = new Map<string, { key: string; parts: Map<number, Buffer> }>();
  return {
    objects,
    signs,
    issueSign() {
      // The shape SCF's temporary-bucket signature has: base64 of "a=…&b=…&k=…&t=…&r=…".
      const sign = Buffer.from(`a=1253665819&b=tempcos&k=standin&e=${2e9}&t=${1.7e9}&r=${randomBytes(12).toString('hex')}&f=`).toString(
        'base64',
      );
      signs.add(sign);
      return sign;
    },
    /** Answers one COS request; returns a one-line description for the call log. */
    handle(req, body, res, bucket) {
      const url = new URL(req.url ?? '/', 'https://cos.invalid');
      const key = keyOf(url.pathname);
      const q = url.searchParams;
      const what = `${req.method} ${key}${url.search}`;
      if (!signs.has(String(req.headers.authorization ?? ''))) {
        xml(res, 403, '<Error><Code>AccessDenied</Code><Message>Signature is not one GetTempCosInfo issued</Message></Error>');
        return `${what} (refused: bad signature)`;
      }
      if (req.method === 'POST' && q.has('uploads')) {
        const id = randomBytes(8).toString('hex');
        uploads.set(id, { key, parts: new Map() });
        xml(
          res,
          200,
          `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
        );
      } else if (req.method === 'GET' && q.has('uploads')) {
        xml(res, 200, `<ListMultipartUploadsResult><Bucket>${bucket}</Bucket></ListMultipartUploadsResult>`);
      } else if (req.method === 'PUT' && q.has('uploadId')) {
        const upload = uploads.get(q.get('uploadId')!);
        if (!upload) xml(res, 404, '<Error><Code>NoSuchUpload</Code></Error>');
        else {
          upload.parts.set(Number(q.get('partNumber')), body);
          res.writeHead(200, { etag: etag(body) });
          res.end();
        }
      } else if (req.method === 'GET' && q.has('uploadId')) {
        xml(res, 200, `<ListPartsResult><Bucket>${bucket}</Bucket><Key>${key}</Key></ListPartsResult>`);
      } else if (req.method === 'POST' && q.has('uploadId')) {
        const upload = uploads.get(q.get('uploadId')!);
        if (!upload) xml(res, 404, '<Error><Code>NoSuchUpload</Code></Error>');
        else {
          const data = Buffer.concat([...upload.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part));
          objects.set(upload.key, data);
          uploads.delete(q.get('uploadId')!);
          xml(
            res,
            200,
            `<CompleteMultipartUploadResult><Location>${bucket}/${upload.key}</Location><Bucket>${bucket}</Bucket><Key>${upload.key}</Key><ETag>${etag(data)}</ETag></CompleteMultipartUploadResult>`,
          );
        }
      } else if (req.method === 'PUT') {
        objects.set(key, body);
        res.writeHead(200, { etag: etag(body) });
        res.end();
      } else if (req.method === 'HEAD') {
        res.writeHead(objects.has(key) ? 200 : 404);
        res.end();
      } else xml(res, 405, '<Error><Code>MethodNotAllowed</Code></Error>');
      return what;
    },
  };
}
