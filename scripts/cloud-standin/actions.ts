/**
 * The Tencent Cloud API actions the CloudBase CLI (2.12.10) and manager-node (5.6.5)
 * send for a deploy and a doctor run, answered over the stand-in's state with the
 * cloud's documented shapes (`{ Response: { …, RequestId } }`, errors as
 * `{ Response: { Error: { Code, Message }, RequestId } }`). Names and fields are the
 * ones those packages send and read (found in their code in node_modules); anything
 * else is refused with `InvalidAction`, so a new call shows up in the test that made it.
 */
import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { CosStore } from './cos';
import type { StandinFunction, StandinState } from './state';

export class CloudError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, unknown>;
export interface ActionContext {
  state: StandinState;
  cos: CosStore;
  /** A time stamp as SCF writes them ("2026-12-07 17:03:01"), moving on every change. */
  now(): string;
  /** What auth answers when invoked by SCF Invoke (no mini program context). */
  invoke(fn: StandinFunction, event: unknown): unknown;
}
type Action = (params: Params, ctx: ActionContext) => Record<string, unknown>;

function fn(ctx: ActionContext, params: Params): StandinFunction {
  const name = String(params.FunctionName ?? '');
  const found = ctx.state.functions[name];
  if (!found) throw new CloudError('ResourceNotFound.Function', `未找到指定的Function，请创建后再试。(${name})`);
  return found;
}

/** The files of a zip, read through its central directory (stored or deflated entries). */
export function unzip(zip: Buffer): Record<string, string> {
  const files: Record<string, string> = {};
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new CloudError('InvalidParameterValue.Code', 'The function code is not a zip file.');
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const [nameLength, extra, comment] = [zip.readUInt16LE(at + 28), zip.readUInt16LE(at + 30), zip.readUInt16LE(at + 32)];
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (!name.endsWith('/')) files[name] = (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

/** The package a create or update names: inline (ZipFile) or uploaded to the temporary COS bucket. */
function applyCode(target: StandinFunction, params: Params, cos: CosStore): void {
  const code = (params.Code ?? {}) as { ZipFile?: string; TempCosObjectName?: string };
  let zip: Buffer | undefined;
  if (typeof code.ZipFile === 'string' && code.ZipFile) zip = Buffer.from(code.ZipFile, 'base64');
  else if (typeof code.TempCosObjectName === 'string') {
    zip = cos.objects.get(code.TempCosObjectName.replace(/^\/+/, ''));
    if (!zip) throw new CloudError('ResourceNotFound.CosObject', `COS object ${code.TempCosObjectName} does not exist.`);
  }
  if (!zip?.length) throw new CloudError('InvalidParameterValue.Code', 'The function code is missing.');
  target.code = unzip(zip);
  target.CodeSha256 = createHash('sha256').update(zip).digest('hex');
  target.CodeSize = zip.length;
}

function applyConfiguration(target: StandinFunction, params: Params): void {
  if (params.Runtime !== undefined) target.Runtime = String(params.Runtime);
  if (params.Handler !== undefined) target.Handler = String(params.Handler);
  if (params.Timeout !== undefined) target.Timeout = Number(params.Timeout);
  if (params.MemorySize !== undefined) target.MemorySize = Number(params.MemorySize);
  if (params.Description !== undefined) target.Description = String(params.Description);
  if (params.InstallDependency !== undefined) target.InstallDependency = String(params.InstallDependency);
  const env = params.Environment as { Variables?: Array<{ Key: string; Value: string }> } | undefined;
  // SCF replaces the whole set when Environment is sent.
  if (env?.Variables) target.Environment = { Variables: env.Variables.map(({ Key, Value }) => ({ Key, Value })) };
}

/** The 4 KB limit SCF puts on a function's variables (keys and values together). */
const VARIABLES_LIMIT = 4096;

function checkVariables(target: StandinFunction): void {
  const bytes = target.Environment.Variables.reduce((n, v) => n + Buffer.byteLength(v.Key) + Buffer.byteLength(v.Value), 0);
  if (bytes > VARIABLES_LIMIT)
    throw new CloudError('InvalidParameterValue.Environment', `Environment variables exceed the 4KB limit (${bytes} bytes).`);
}

const envInfo = (state: StandinState) => ({
  EnvId: state.envId,
  Source: 'miniapp',
  Alias: state.envId,
  Status: 'NORMAL',
  Region: state.region,
  Functions: [{ Namespace: state.envId, Region: state.region }],
  Databases: [{ InstanceId: 'FlexDB', Region: state.region, Status: 'RUNNING' }],
  Storages: [{ Region: state.region, Bucket: `${state.envId}-1250000000`, CdnDomain: '', AppId: '1250000000' }],
  LogServices: [],
  StaticStorages: [],
  IsAutoDegrade: false,
  EnvChannel: 'miniapp',
  PayMode: 'prepayment',
  IsDefault: true,
  EnvType: 'baas',
});

export const ACTIONS: Record<string, Action> = {
  DescribeEnvs: (_p, { state }) => ({ EnvList: [envInfo(state)] }),
  // manager-node 5.6.5 reads one environment with this (EnvInfo.EnvBaseInfo).
  DescribeEnvInfo(p, { state }) {
    if (p.EnvId !== state.envId) throw new CloudError('ResourceNotFound.Env', `环境 ${String(p.EnvId)} 不存在`);
    return { EnvInfo: { EnvBaseInfo: envInfo(state), UserInfo: {} } };
  },

  DescribeTcbAccountInfo: () => ({ CloudAppId: '1250000000', Uin: '100000000001', OwnerUin: '100000000001' }),

  // SCF
  GetTempCosInfo: (_p, { cos }) => ({ Date: '20260101', Sign: cos.issueSign() }),
  GetFunction(p, ctx) {
    const f = fn(ctx, p);
    const { code: _code, CodeSha256: _sha, ...shown } = f;
    return { ...shown, Namespace: ctx.state.envId, StatusReasons: [], CodeInfo: '', CodeResult: 'success', CodeError: '', ErrNo: 0 };
  },
  GetFunctionAddress(p, ctx) {
    const f = fn(ctx, p);
    return { Url: `https://cos.example.invalid/${f.FunctionName}.zip`, CodeSha256: f.CodeSha256 };
  },
  CreateFunction(p, ctx) {
    const name = String(p.FunctionName ?? '');
    if (ctx.state.functions[name]) throw new CloudError('ResourceInUse.Function', `函数已存在 (${name})`);
    const created: StandinFunction = {
      FunctionName: name,
      Runtime: 'Nodejs8.9',
      Handler: 'index.main',
      Timeout: 3,
      MemorySize: 256,
      Description: '',
      Status: 'Active',
      InstallDependency: 'FALSE',
      Environment: { Variables: [] },
      Triggers: [],
      CodeSha256: '',
      CodeSize: 0,
      ModTime: ctx.now(),
      AddTime: ctx.now(),
      code: {},
    };
    applyConfiguration(created, p);
    checkVariables(created);
    applyCode(created, p, ctx.cos);
    ctx.state.functions[name] = created;
    return {};
  },
  UpdateFunctionCode(p, ctx) {
    const f = fn(ctx, p);
    applyCode(f, p, ctx.cos);
    if (p.Handler !== undefined) f.Handler = String(p.Handler);
    f.ModTime = ctx.now();
    return {};
  },
  UpdateFunctionConfiguration(p, ctx) {
    const f = fn(ctx, p);
    // Runtime cannot be changed on an existing function (SCF refuses it).
    if (p.Runtime !== undefined && p.Runtime !== f.Runtime)
      throw new CloudError('InvalidParameterValue.Runtime', 'Runtime cannot be modified for an existing function.');
    const copy = { ...f, Environment: f.Environment };
    applyConfiguration(copy, p);
    checkVariables(copy);
    Object.assign(f, copy, { ModTime: ctx.now() });
    return {};
  },
  BatchCreateTrigger(p, ctx) {
    const f = fn(ctx, p);
    const triggers = JSON.parse(String(p.Triggers ?? '[]')) as Array<{ TriggerName: string; Type: string; TriggerDesc: string }>;
    for (const t of triggers)
      if (f.Triggers.some((have) => have.TriggerName === t.TriggerName))
        throw new CloudError('ResourceInUse.Trigger', `触发器 ${t.TriggerName} 已存在`);
    for (const t of triggers) f.Triggers.push({ ...t, AddTime: ctx.now(), ModTime: ctx.now() });
    return { Result: 'success' };
  },
  DeleteTrigger(p, ctx) {
    const f = fn(ctx, p);
    const before = f.Triggers.length;
    f.Triggers = f.Triggers.filter((t) => t.TriggerName !== p.TriggerName);
    if (f.Triggers.length === before) throw new CloudError('ResourceNotFound.Trigger', `触发器 ${String(p.TriggerName)} 不存在`);
    return {};
  },
  Invoke(p, ctx) {
    const f = fn(ctx, p);
    const event = JSON.parse(String(p.ClientContext ?? '{}')) as unknown;
    const answer = ctx.invoke(f, event);
    return { Result: { RetMsg: JSON.stringify(answer), InvokeResult: 0, ErrMsg: '', Log: '', FunctionRequestId: 'req' } };
  },

  // Database (tcb: collections, indexes, security rules)
  DescribeTable(p, { state }) {
    const c = state.collections[String(p.TableName)];
    if (!c) throw new CloudError('ResourceNotFound.TableNotExist', `表 ${String(p.TableName)} 不存在`);
    const indexes = [{ Name: '_id_', Keys: [{ Name: '_id', Direction: '1' }], Unique: true }, ...c.indexes];
    return { Indexes: indexes, IndexNum: indexes.length };
  },
  CreateTable(p, { state }) {
    const name = String(p.TableName);
    if (state.collections[name]) throw new CloudError('ResourceInUse.TableExist', `表 ${name} 已存在`);
    state.collections[name] = { indexes: [], rule: { AclTag: 'ADMINONLY' } };
    return {};
  },
  UpdateTable(p, { state }) {
    const c = state.collections[String(p.TableName)];
    if (!c) throw new CloudError('ResourceNotFound.TableNotExist', `表 ${String(p.TableName)} 不存在`);
    const create = (p.CreateIndexes ?? []) as Array<{
      IndexName: string;
      MgoKeySchema: { MgoIndexKeys: Array<{ Name: string; Direction: string }>; MgoIsUnique?: boolean };
    }>;
    for (const i of create) {
      const keys = JSON.stringify(i.MgoKeySchema.MgoIndexKeys.map((k) => [k.Name, String(k.Direction)]));
      // MongoDB refuses a second index with the same keys, whatever its name.
      if (c.indexes.some((have) => have.Name === i.IndexName || JSON.stringify(have.Keys.map((k) => [k.Name, k.Direction])) === keys))
        throw new CloudError('FailedOperation', `Index with name or keys of ${i.IndexName} already exists`);
      c.indexes.push({
        Name: i.IndexName,
        Keys: i.MgoKeySchema.MgoIndexKeys.map((k) => ({ Name: k.Name, Direction: String(k.Direction) })),
        Unique: Boolean(i.MgoKeySchema.MgoIsUnique),
      });
    }
    return {};
  },
  ModifySafeRule(p, { state }) {
    const c = state.collections[String(p.CollectionName)];
    if (!c) throw new CloudError('ResourceNotFound', `集合 ${String(p.CollectionName)} 不存在`);
    c.rule = { AclTag: String(p.AclTag), Rule: typeof p.Rule === 'string' ? p.Rule : undefined };
    return {};
  },
  DescribeSafeRule(p, { state }) {
    const c = state.collections[String(p.CollectionName)];
    if (!c) throw new CloudError('ResourceNotFound', `集合 ${String(p.CollectionName)} 不存在`);
    return { AclTag: c.rule.AclTag, ...(c.rule.Rule !== undefined ? { Rule: c.rule.Rule } : {}) };
  },

  // HTTP access (云接入 / HTTP 访问服务)
  DescribeCloudBaseGWService: (_p, { state }) => ({
    DefaultDomain: `${state.envId}-1250000000.${state.region}.app.tcloudbase.com`,
    EnableService: state.gateway.enabled,
    ServiceSet: [],
  }),
  DescribeCloudBaseGWAPI(p, { state }) {
    const apis = state.gateway.apis.filter((a) => (!p.Path || a.Path === p.Path) && (!p.Name || a.Name === p.Name));
    return { APISet: apis, EnableService: state.gateway.enabled, Total: apis.length };
  },
  CreateCloudBaseGWAPI(p, { state }) {
    if (!state.gateway.enabled)
      throw new CloudError('FailedOperation.ServiceNotEnabled', 'HTTP 访问服务未开通 (the environment has HTTP access switched off).');
    if (state.gateway.apis.some((a) => a.Path === p.Path)) throw new CloudError('InvalidParameter.APICreated', 'API already created');
    const api = {
      APIId: `api-${state.gateway.apis.length + 1}`,
      Path: String(p.Path),
      Type: Number(p.Type ?? 1),
      Name: String(p.Name),
      EnableAuth: p.AuthSwitch === 1,
    };
    state.gateway.apis.push(api);
    return { APIId: api.APIId };
  },
  ModifyCloudBaseGWAPIPrivilegeBatch(p, { state }) {
    const ids = (p.APIIdSet ?? []) as string[];
    const on = ((p.Options ?? []) as Array<{ Key: string; Value: string }>).find((o) => o.Key === 'authswitch')?.Value === 'true';
    for (const a of state.gateway.apis) if (ids.includes(a.APIId)) a.EnableAuth = on;
    return {};
  },
};
