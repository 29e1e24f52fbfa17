// Type declarations of the composio-edge browser package.

/** Anything wasm-bindgen's web-target initializer accepts. */
export type InitInput =
  | RequestInfo
  | URL
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<RequestInfo | URL | Response | BufferSource | WebAssembly.Module>
  | { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module };

/** Loads the WebAssembly module (optional: `createClient` calls it). */
export default function init(input?: InitInput): Promise<void>;

/** A gateway token with its expiry (`expiresAt` in Unix seconds or milliseconds). */
export interface TokenWithExpiry {
  token: string;
  expiresAt: number;
}

export interface CreateClientOptions {
  /** The composio-edge gateway, absolute or relative to the page (`https`, or `http` on loopback). */
  gatewayUrl: string;
  /** A fixed gateway token. */
  token?: string;
  /** Called for a token, and again when it is within 60 s of expiry or after a 401. */
  getToken?: () => Promise<string | TokenWithExpiry>;
}

export function createClient(opts: CreateClientOptions): Promise<EdgeClient>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
/** A JSON Schema object (`type: "object"` for tool inputs). */
export type JsonSchema = { [key: string]: unknown };

export type ToolsProvider = "openai" | "openai-responses" | "anthropic" | "gemini" | "vercel";
export type ToolCallsProvider = "openai" | "openai-responses" | "anthropic";

/** OpenAI chat completions tool. */
export interface OpenAITool {
  type: "function";
  function: { name: string; description: string; parameters: JsonSchema; strict?: boolean | null };
}
/** OpenAI responses tool. */
export interface OpenAIResponsesTool {
  type: "function";
  name: string;
  description: string;
  parameters: JsonSchema;
  strict: boolean;
}
/** Anthropic messages tool. */
export interface AnthropicTool {
  name: string;
  description: string;
  input_schema: JsonSchema;
  cache_control?: { type: "ephemeral" };
}
/** Google Gemini function declaration. */
export interface GeminiFunctionDeclaration {
  name: string;
  description: string;
  parameters?: JsonSchema;
}
/** A tool as the Tool Router lists it (no provider). */
export interface RawTool {
  slug: string;
  name: string;
  description: string;
  toolkit?: { slug: string; name: string; logo?: string };
  input_parameters: JsonSchema;
  output_parameters?: JsonSchema;
  no_auth?: boolean;
  tags?: string[];
  [key: string]: unknown;
}
/** Vercel AI SDK tools as JSON (keyed by slug). */
export type VercelToolsJson = Record<string, { description: string; inputSchema: JsonSchema }>;

export interface ToolsByProvider {
  openai: OpenAITool[];
  "openai-responses": OpenAIResponsesTool[];
  anthropic: AnthropicTool[];
  /** One Gemini `Tool` object: put it in the request's `tools` array. */
  gemini: { functionDeclarations: GeminiFunctionDeclaration[] };
  vercel: VercelToolsJson;
}

export interface SearchQuery {
  use_case: string;
  known_fields?: string;
}
export type SearchInput = string | { queries: SearchQuery[]; toolkits?: string[] };

export interface SearchResultItem {
  index: number;
  use_case: string;
  primary_tool_slugs: string[];
  related_tool_slugs: string[];
  toolkits: string[];
  execution_guidance?: string;
  recommended_plan_steps?: string[];
  known_pitfalls?: string[];
  error?: string | null;
  [key: string]: unknown;
}
export interface ToolSchemaInfo {
  toolkit: string;
  tool_slug: string;
  description?: string;
  input_schema?: JsonSchema;
  output_schema?: JsonSchema;
  hasFullSchema?: boolean;
  schemaRef?: { tool: "COMPOSIO_GET_TOOL_SCHEMAS"; args: { tool_slugs: string[] }; message?: string };
  [key: string]: unknown;
}
export interface ToolkitConnectionStatus {
  toolkit: string;
  description: string;
  has_active_connection: boolean;
  status_message: string;
  accounts?: { id: string; alias?: string | null; status: string; is_default?: boolean }[];
  [key: string]: unknown;
}
/** The Tool Router search response, as the gateway returns it (wire names, snake_case). */
export interface SearchResult {
  success: boolean;
  error: string | null;
  results: SearchResultItem[];
  tool_schemas: Record<string, ToolSchemaInfo>;
  toolkit_connection_statuses: ToolkitConnectionStatus[];
  next_steps_guidance?: string[];
  session?: { id: string; generate_id?: boolean; instructions?: string };
  time_info?: { current_time_utc: string; current_time_utc_epoch_seconds: number; message: string };
  [key: string]: unknown;
}

export interface ExecuteOptions {
  /** Connected-account id or alias. */
  account?: string;
  /** A repeat with the same key returns the first result without executing again. */
  idempotencyKey?: string;
}
/** The result of an execution (`logId` is `""` for browser-local tools). */
export interface ExecuteResult<Data = Record<string, unknown>> {
  data: Data;
  error: string | null;
  successful: boolean;
  logId: string;
}

export interface ToolkitsOptions {
  limit?: number;
  cursor?: string;
  isConnected?: boolean;
  search?: string;
  toolkits?: string[];
}
export interface ToolkitItem {
  slug: string;
  name: string;
  enabled?: boolean;
  is_no_auth?: boolean;
  meta?: { logo?: string; description?: string };
  connected_account?: { id: string; status: string; [key: string]: unknown } | null;
  [key: string]: unknown;
}
/** A page of toolkits with this user's connection state. */
export interface ToolkitsPage {
  items: ToolkitItem[];
  next_cursor?: string | null;
  total_pages?: number;
  current_page?: number;
  total_items?: number;
  [key: string]: unknown;
}

/** OpenAI chat tool message. */
export interface OpenAIToolMessage {
  role: "tool";
  tool_call_id: string;
  content: string;
}
/** OpenAI responses function output item. */
export interface OpenAIFunctionCallOutput {
  type: "function_call_output";
  call_id: string;
  output: string;
  status: "completed" | "incomplete";
}
/** Anthropic user message carrying tool results. */
export interface AnthropicToolResultMessage {
  role: "user";
  content: { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean }[];
}
export type ToolResultMessage = OpenAIToolMessage | OpenAIFunctionCallOutput | AnthropicToolResultMessage;

export type ConnectionState = "pending" | "active" | "failed";
export interface ConnectionStatus {
  connectionId: string;
  /** As the gateway reports it: `INITIATED`, `ACTIVE`, `FAILED`, `EXPIRED` … */
  status: string;
  state: ConnectionState;
  toolkit: string | null;
  connectedAccountId: string | null;
  reason: string | null;
}

export interface ConnectionRequest {
  /** The popup window (`null` in a Web Worker or when the browser blocked it). */
  readonly popup: Window | null;
  /** Settles when the connection is active, failed, timed out, blocked or closed. */
  done: Promise<ConnectionStatus>;
  /** Where to send the user (for Web Workers, which cannot open popups). */
  link: Promise<{ connectUrl: string; connectionId: string }>;
  waitForConnection(timeoutMs?: number): Promise<ConnectionStatus>;
}

export interface LocalToolContext {
  /** Executes another tool (local or remote) in the same session. */
  execute(slug: string, args?: Record<string, unknown>): Promise<ExecuteResult>;
}
export interface LocalToolDefinition<Args = any> {
  /** `[A-Za-z0-9_-]`, not starting with `LOCAL_`/`COMPOSIO_`; the tool is called `LOCAL_<SLUG>`. */
  slug: string;
  name?: string;
  description: string;
  inputSchema: JsonSchema;
  /** List it in `tools()` directly (default: found through search only). */
  preload?: boolean;
  execute: (args: Args, ctx: LocalToolContext) => Promise<unknown>;
}

export interface VercelTool {
  description: string;
  inputSchema: unknown;
  execute: (args: any) => Promise<unknown>;
}

export type ComposioEdgeErrorCode =
  | "popup_blocked"
  | "popup_closed"
  | "connection_failed"
  | "connection_timeout"
  | "connected_account_not_found"
  | "invalid_request"
  | "invalid_tool_arguments"
  | "argument_validation_failed"
  | "insecure_transport"
  | "unauthorized"
  | "permission_denied"
  | "not_found"
  | "rate_limited"
  | "upstream_error"
  | "connection_error"
  | "timeout"
  | "aborted"
  | "decode_error"
  | "internal_error"
  | (string & {});

export class ComposioEdgeError extends Error {
  readonly name: "ComposioEdgeError";
  code: ComposioEdgeErrorCode;
  status: number;
  requestId?: string;
  /** For `argument_validation_failed`: each violation with its JSON path. */
  violations?: { path: string; message: string }[];
  constructor(
    code: ComposioEdgeErrorCode,
    message: string,
    details?: { status?: number; requestId?: string; violations?: { path: string; message: string }[]; cause?: unknown },
  );
}

export class EdgeClient {
  private constructor();
  readonly gatewayOrigin: string;
  session(): Promise<EdgeSession>;
}

export class EdgeSession {
  private constructor();
  readonly sessionId: string;
  /** The whole `POST /v1/session` response. */
  readonly info: { session_id: string; [key: string]: unknown };
  tools(): Promise<RawTool[] | Record<string, unknown>>;
  tools<P extends ToolsProvider>(opts: { provider: P }): Promise<ToolsByProvider[P]>;
  tools(opts?: { provider?: ToolsProvider }): Promise<unknown[] | Record<string, unknown>>;
  search(q: SearchInput): Promise<SearchResult>;
  execute<Data = Record<string, unknown>>(
    slug: string,
    args?: Record<string, unknown> | string,
    opts?: ExecuteOptions,
  ): Promise<ExecuteResult<Data>>;
  toolkits(opts?: ToolkitsOptions): Promise<ToolkitsPage>;
  handleToolCalls(response: unknown, opts?: { provider?: ToolCallsProvider }): Promise<ToolResultMessage[]>;
  vercelTools(opts: { jsonSchema: (s: object) => unknown }): Promise<Record<string, VercelTool>>;
  registerTool<Args = any>(def: LocalToolDefinition<Args>): void;
  unregisterTool(slug: string): boolean;
  connectionStatus(connectionId: string): Promise<ConnectionStatus>;
  authorize(toolkit: string, opts?: { returnTo?: string; timeoutMs?: number }): ConnectionRequest;
  waitForConnection(connectionId: string, timeoutMs?: number): Promise<ConnectionStatus>;
  ensureConnected(
    toolkit: string,
    opts?: { timeoutMs?: number; returnTo?: string },
  ): Promise<{ toolkit: string; wasConnected: boolean; connectedAccountId?: string }>;
  delete(): Promise<void>;
}
