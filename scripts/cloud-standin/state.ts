/**
 * What the Tencent Cloud stand-in holds: one CloudBase environment (functions, triggers,
 * collections with rules and indexes, HTTP access) as the cloud's own API reports it.
 */
export interface StandinFunction {
  FunctionName: string;
  Runtime: string;
  Handler: string;
  Timeout: number;
  MemorySize: number;
  Description: string;
  Status: 'Active' | 'Creating' | 'Updating';
  InstallDependency: string;
  Environment: { Variables: Array<{ Key: string; Value: string }> };
  Triggers: Array<{ TriggerName: string; Type: string; TriggerDesc: string; AddTime: string; ModTime: string }>;
  /** The deployed package: its SHA-256 (GetFunctionAddress) and size (GetFunction). */
  CodeSha256: string;
  CodeSize: number;
  /** Changes with every code or configuration update. */
  ModTime: string;
  AddTime: string;
  /** The entry file of the package, for Invoke. */
  code: Record<string, string>;
}

export interface StandinCollection {
  indexes: Array<{ Name: string; Keys: Array<{ Name: string; Direction: string }>; Unique: boolean }>;
  rule: { AclTag: string; Rule?: string };
}

export interface StandinGatewayApi {
  APIId: string;
  Path: string;
  Type: number;
  Name: string;
  EnableAuth: boolean;
}

export interface StandinState {
  envId: string;
  region: string;
  functions: Record<string, StandinFunction>;
  collections: Record<string, StandinCollection>;
  /** HTTP 访问服务: switched on or off in the console. */
  gateway: { enabled: boolean; apis: StandinGatewayApi[] };
}

export function emptyState(envId: string, region = 'ap-shanghai'): StandinState {
  return { envId, region, functions: {}, collections: {}, gateway: { enabled: true, apis: [] } };
}
