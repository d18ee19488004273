/**
 * The protobuf envelope of `wx.openApi` calls. `cloud.openapi.<api>(data)` sends a
 * `CommApiData` whose `openapiData.pairs` carry each top-level field of `data` as
 * JSON text; the answer is a `CommOpenApiResp` whose `respData` holds WeChat's JSON
 * answer. Field numbers as wx-server-sdk 4.0.2 defines them (src/protobuf/openapi.js).
 */
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    KeyValuePair: {
      fields: {
        key: { type: 'string', id: 1 },
        value: { type: 'bytes', id: 2 },
        contenttype: { type: 'string', id: 3 },
        filename: { type: 'string', id: 4 },
      },
    },
    OpenApiData: { fields: { pairs: { rule: 'repeated', type: 'KeyValuePair', id: 1 } } },
    CommApiData: {
      fields: {
        apiType: { type: 'int32', id: 1 },
        openapiData: { type: 'OpenApiData', id: 2 },
        appid: { type: 'string', id: 6 },
      },
    },
    HttpHeader: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    CommOpenApiResp: {
      fields: {
        respData: { type: 'bytes', id: 1 },
        contentType: { type: 'string', id: 2 },
        errorCode: { type: 'int32', id: 3 },
        httpCode: { type: 'uint32', id: 4 },
        headers: { rule: 'repeated', type: 'HttpHeader', id: 5 },
      },
    },
  },
});

const CommApiData = root.lookupType('CommApiData');
const CommOpenApiResp = root.lookupType('CommOpenApiResp');

interface OpenApiRequest {
  /** The appid the call acts for: empty means the function's own mini program. */
  appid: string;
  data: Record<string, unknown>;
}

export function decodeRequest(buffer: Buffer): OpenApiRequest {
  const message = CommApiData.toObject(CommApiData.decode(buffer), { defaults: true }) as {
    appid: string;
    openapiData?: { pairs?: Array<{ key: string; value: Uint8Array; contenttype?: string; filename?: string }> };
  };
  const data: Record<string, unknown> = {};
  for (const pair of message.openapiData?.pairs ?? []) {
    const text = Buffer.from(pair.value).toString('utf8');
    // Media fields (files) carry raw bytes; every other value is JSON text.
    data[pair.key] = pair.filename || pair.contenttype ? Buffer.from(pair.value) : JSON.parse(text);
  }
  return { appid: message.appid, data };
}

/** A WeChat answer (`{ errcode, errmsg, … }`) wrapped as the gateway returns it. */
export function encodeJsonResponse(json: unknown): Uint8Array {
  return CommOpenApiResp.encode(
    CommOpenApiResp.create({ respData: Buffer.from(JSON.stringify(json)), contentType: 'application/json; charset=UTF-8', httpCode: 200 }),
  ).finish();
}

/** A platform-level refusal, e.g. -604101 when the function lacks the openapi permission. */
export function encodePlatformError(errorCode: number): Uint8Array {
  return CommOpenApiResp.encode(CommOpenApiResp.create({ errorCode })).finish();
}
