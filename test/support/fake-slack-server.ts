import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { webApiRefusal } from "./fake-slack-refusals.js";
import { MANIFEST_BOT_SCOPES } from "../../src/slack/manifest-scopes.js";

/**
 * A fake Slack Web API on loopback. The real `@slack/web-api` client (inside Bolt) talks to it
 * through `SLACK_API_URL` = `${server.apiUrl}`: every call is recorded with its parsed
 * arguments, answers look like Slack's, and a test can make the next calls of a method fail with
 * a 429 and `Retry-After`, a 500, or an error such as `channel_not_found`. `response_url` posts
 * (Bolt's `respond()`) land on `${server.url}/response/<name>` and are recorded too.
 *
 * Written from Slack's Web API reference (https://docs.slack.dev/reference/methods/<method>, e.g.
 * chat.postMessage, chat.update, conversations.info, conversations.history, users.info,
 * usergroups.users.list, views.open, files.uploadV2's files.getUploadURLExternal and
 * files.completeUploadExternal): every answer is HTTP 200 with `{"ok": true, …}` or
 * `{"ok": false, "error": "<code>"}` and carries the token's scopes in `x-oauth-scopes`; rate
 * limits are HTTP 429 with `Retry-After` in seconds (docs.slack.dev/apis/web-api/rate-limits).
 * What the real API refuses it refuses too: `not_authed`/`invalid_auth` for a wrong token,
 * `missing_scope` with `needed` and `provided`, and — in fake-slack-refusals.ts, each with its
 * page — `no_text`, `msg_too_long`, `invalid_blocks` and views over Block Kit's limits.
 */

export interface RecordedSlackCall {
  /** The Web API method (`chat.postMessage`), or `response:<name>` for a response_url post. */
  method: string;
  /** The arguments, with JSON-valued form fields (blocks, view, ...) parsed. */
  args: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  receivedAt: number;
  /** What the fake answered (a `chat.postMessage`'s `channel` and `ts`), once it has. */
  result?: Record<string, unknown>;
}

export type SlackFailure =
  | { kind: "rate_limited"; retryAfterSeconds: number }
  | { kind: "server_error"; status?: number }
  /** `{ ok: false, error }` with HTTP 200, as Slack answers `channel_not_found`, `not_in_channel`, ... */
  | { kind: "error"; error: string };

export interface FakeSlackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The Web API base URL, with its trailing slash: `http://127.0.0.1:<port>/api/`. */
  readonly apiUrl: string;
  readonly calls: RecordedSlackCall[];
  /** Calls of one method, in order. */
  callsOf(method: string): RecordedSlackCall[];
  /** The next `times` calls of `method` fail this way. */
  failNext(method: string, failure: SlackFailure, times?: number): void;
  /** Members of a user group, for `usergroups.users.list`. */
  setGroupMembers(groupId: string, userIds: string[]): void;
  /** Where `apps.connections.open` sends a Socket Mode app (a fake Socket Mode server). */
  setSocketModeUrl(url: string): void;
  /** A file shared in Slack: `files.info` describes it, its private URL serves it to the bot token. */
  setFile(id: string, file: { name: string; mimetype: string; content: Buffer | string; filetype?: string }): void;
  /** Files uploaded with files.uploadV2 (getUploadURLExternal → upload → completeUploadExternal), by file id. */
  readonly uploads: Map<string, { filename: string; content: Buffer; channel?: string; threadTs?: string; title?: string }>;
  /** A channel `conversations.info` knows (unknown ids answer `channel_not_found`). */
  setChannel(id: string, channel: FakeChannel): void;
  /** A user `users.info` knows (unknown ids answer `user_not_found`). */
  setUser(id: string, user?: { deleted?: boolean }): void;
  /** The token's scopes (default: every scope manifest.yml asks for), sent in `x-oauth-scopes`. */
  setScopes(scopes: ReadonlyArray<string>): void;
  /** The one bot token Slack accepts; others get `invalid_auth`. Default: any token. */
  setBotToken(token: string): void;
  /** Resolves when `predicate` holds for the recorded calls (polls; rejects after `timeoutMs`). */
  waitFor(predicate: (calls: RecordedSlackCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const FAKE_BOT_USER_ID = "UBATONBOT";

export interface FakeChannel {
  name: string;
  isPrivate?: boolean;
  isMember?: boolean;
  isArchived?: boolean;
}

/**
 * The scopes manifest.yml asks for: what a token of a correctly installed app has. The list is
 * baton's own (a test keeps it equal to manifest.yml), so the fake cannot drift from it.
 */
export const MANIFEST_SCOPES: string[] = [...MANIFEST_BOT_SCOPES];

interface Workspace {
  channels: Map<string, FakeChannel>;
  users: Map<string, { deleted?: boolean }>;
  scopes: ReadonlyArray<string>;
  botToken: string | undefined;
}

/**
 * What Slack refuses before a method runs (docs.slack.dev, each method's "Errors" and "Scopes"):
 * a token it does not know gets `invalid_auth`; a lookup without its scope gets `missing_scope`
 * with the scope `needed` and the ones `provided` (conversations.info: channels:read for public
 * channels, groups:read for private ones; users.info: users:read; usergroups.users.list:
 * usergroups:read). Undefined when the call may go on.
 */
function refuseCall(method: string, args: Record<string, unknown>, headers: IncomingHttpHeaders, workspace: Workspace): Record<string, unknown> | undefined {
  if (workspace.botToken !== undefined && method !== "apps.connections.open") {
    const token = /^Bearer (.*)$/.exec(String(headers.authorization ?? ""))?.[1] ?? (typeof args.token === "string" ? args.token : undefined);
    if (token === undefined) return { ok: false, error: "not_authed" };
    if (token !== workspace.botToken) return { ok: false, error: "invalid_auth" };
  }
  const needed =
    method === "conversations.info"
      ? workspace.channels.get(String(args.channel))?.isPrivate === true
        ? "groups:read"
        : "channels:read"
      : method === "users.info"
        ? "users:read"
        : method === "usergroups.users.list"
          ? "usergroups:read"
          : undefined;
  if (needed !== undefined && !workspace.scopes.includes(needed)) return { ok: false, error: "missing_scope", needed, provided: workspace.scopes.join(",") };
  return undefined;
}

/** conversations.info and users.info, as Slack answers them; undefined for other methods. */
function answerWorkspaceLookup(method: string, args: Record<string, unknown>, workspace: Workspace): Record<string, unknown> | undefined {
  if (method === "conversations.info") {
    const id = String(args.channel);
    const channel = workspace.channels.get(id);
    // A private channel the bot is not in is invisible to it: Slack says it is not found.
    if (!channel || (channel.isPrivate === true && channel.isMember !== true)) return { ok: false, error: "channel_not_found" };
    return {
      ok: true,
      channel: {
        id,
        name: channel.name,
        is_channel: channel.isPrivate !== true,
        is_group: false,
        is_private: channel.isPrivate === true,
        is_archived: channel.isArchived === true,
        is_member: channel.isMember === true,
      },
    };
  }
  if (method === "users.info") {
    const id = String(args.user);
    const user = workspace.users.get(id);
    return user ? { ok: true, user: { id, name: id.toLowerCase(), deleted: user.deleted === true, is_bot: false } } : { ok: false, error: "user_not_found" };
  }
  return undefined;
}
const JSON_FIELDS = new Set(["blocks", "attachments", "view", "metadata", "unfurl", "response_metadata"]);

function parseArguments(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes("application/json")) {
    const parsed: unknown = body === "" ? {} : JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (JSON_FIELDS.has(key)) {
      try {
        args[key] = JSON.parse(value) as unknown;
        continue;
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    args[key] = value;
  }
  return args;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

export async function startFakeSlackServer(): Promise<FakeSlackServer> {
  const calls: RecordedSlackCall[] = [];
  const failures = new Map<string, SlackFailure[]>();
  const groups = new Map<string, string[]>();
  let socketModeUrl: string | undefined;
  const shared = new Map<string, { name: string; mimetype: string; content: Buffer; filetype?: string }>();
  const uploads: FakeSlackServer["uploads"] = new Map();
  let nextFile = 1;
  let baseUrl = "";
  const sockets = new Set<Socket>();
  let nextTs = 1_700_000_000_000_000;
  let nextView = 1;
  const workspace: Workspace = { channels: new Map(), users: new Map(), scopes: MANIFEST_SCOPES, botToken: undefined };
  // Posted messages by channel, oldest first, for conversations.history and conversations.replies.
  const posted = new Map<string, Array<{ ts: string; threadTs?: string; text: unknown; metadata?: unknown }>>();
  const newTs = (): string => {
    // A ts is the message's time in epoch seconds, with microseconds, unique in its channel
    // (docs.slack.dev/messaging/retrieving-messages): conversations.history's `oldest` compares it.
    nextTs = Math.max(nextTs + 1, Date.now() * 1_000);
    const text = String(nextTs);
    return `${text.slice(0, 10)}.${text.slice(10)}`;
  };

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://fake.slack.test/", team: "Fake", user: "baton", team_id: "T0FAKE", user_id: FAKE_BOT_USER_ID, bot_id: "B0FAKE" };
      case "chat.postMessage": {
        const ts = newTs();
        const channel = String(args.channel);
        posted.set(channel, [
          ...(posted.get(channel) ?? []),
          {
            ts,
            text: args.text,
            ...(args.thread_ts === undefined ? {} : { threadTs: String(args.thread_ts) }),
            ...(args.metadata === undefined ? {} : { metadata: args.metadata }),
          },
        ]);
        return { ok: true, channel: args.channel, ts, message: { ts, text: args.text, blocks: args.blocks } };
      }
      // Message metadata comes back only with include_all_metadata
      // (docs.slack.dev/reference/methods/conversations.history, docs.slack.dev/messaging/message-metadata).
      case "conversations.history": {
        const withMetadata = args.include_all_metadata === "true" || args.include_all_metadata === true;
        const oldest = Number(args.oldest ?? 0);
        // Newest first; the channel's top level only (thread replies are not in its history).
        const messages = (posted.get(String(args.channel)) ?? [])
          .filter((message) => message.threadTs === undefined && Number(message.ts) > oldest)
          .reverse()
          .slice(0, Number(args.limit ?? 100))
          .map((message) => ({
            type: "message",
            ts: message.ts,
            text: message.text,
            ...(withMetadata && message.metadata !== undefined ? { metadata: message.metadata } : {}),
          }));
        return { ok: true, messages, has_more: false };
      }
      case "conversations.replies": {
        const withMetadata = args.include_all_metadata === "true" || args.include_all_metadata === true;
        const all = posted.get(String(args.channel)) ?? [];
        const parent = all.find((message) => message.ts === String(args.ts));
        if (!parent) return { ok: false, error: "thread_not_found" };
        // The parent first, then its replies, oldest first.
        const messages = [parent, ...all.filter((message) => message.threadTs === parent.ts)].slice(0, Number(args.limit ?? 1000)).map((message) => ({
          type: "message",
          ts: message.ts,
          text: message.text,
          ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
          ...(withMetadata && message.metadata !== undefined ? { metadata: message.metadata } : {}),
        }));
        return { ok: true, messages, has_more: false };
      }
      case "chat.update":
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case "chat.postEphemeral":
        return { ok: true, message_ts: newTs() };
      case "views.open":
      case "views.publish":
      case "views.update":
      case "views.push": {
        const view = typeof args.view === "object" && args.view !== null ? args.view : {};
        return { ok: true, view: { ...view, id: `V${String(nextView++)}` } };
      }
      case "usergroups.users.list": {
        const members = groups.get(String(args.usergroup));
        return members ? { ok: true, users: members } : { ok: false, error: "no_such_subteam" };
      }
      case "apps.connections.open":
        return socketModeUrl ? { ok: true, url: socketModeUrl } : { ok: false, error: "not_allowed_token_type" };
      case "files.getUploadURLExternal": {
        const id = `F0UP${String(nextFile++)}`;
        uploads.set(id, { filename: String(args.filename), content: Buffer.alloc(0) });
        return { ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal": {
        const files = (typeof args.files === "string" ? (JSON.parse(args.files) as unknown) : args.files) as Array<{ id: string; title?: string }>;
        for (const file of files) {
          const upload = uploads.get(file.id);
          if (upload)
            uploads.set(file.id, {
              ...upload,
              ...(file.title === undefined ? {} : { title: file.title }),
              ...(args.channel_id === undefined ? {} : { channel: String(args.channel_id) }),
              ...(args.thread_ts === undefined ? {} : { threadTs: String(args.thread_ts) }),
            });
        }
        return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title ?? "" })) };
      }
      case "files.list":
        return {
          ok: true,
          files: [...shared.entries()].map(([id, file]) => ({
            id,
            name: file.name,
            title: file.name,
            mimetype: file.mimetype,
            filetype: file.filetype ?? "text",
            size: file.content.length,
          })),
        };
      case "files.info": {
        const file = shared.get(String(args.file));
        if (!file) return { ok: false, error: "file_not_found" };
        return {
          ok: true,
          file: {
            id: args.file,
            name: file.name,
            title: file.name,
            mimetype: file.mimetype,
            filetype: file.filetype ?? "text",
            size: file.content.length,
            url_private: `${baseUrl}/files-pri/${String(args.file)}`,
            url_private_download: `${baseUrl}/files-pri/${String(args.file)}/download`,
          },
        };
      }
      case "chat.getPermalink":
        return {
          ok: true,
          channel: args.channel,
          permalink: `https://fake.slack.test/archives/${String(args.channel)}/p${String(args.message_ts).replace(".", "")}`,
        };
      default:
        return { ok: true };
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const download = /^\/files-pri\/([^/]+)/.exec(path);
    if (download) {
      // Slack serves private files only to a token that may see them.
      const file = shared.get(download[1] ?? "");
      const authorized = /^Bearer xoxb-/.test(String(request.headers.authorization ?? ""));
      request.resume();
      calls.push({ method: "download", args: { file: download[1] }, headers: request.headers, receivedAt: Date.now() });
      if (!file || !authorized) {
        // Slack answers an unauthorised download with its login page, not an error status.
        response.writeHead(200, { "content-type": "text/html" });
        response.end("<!DOCTYPE html><html><body>Sign in to Slack</body></html>");
        return;
      }
      response.writeHead(200, { "content-type": file.mimetype, "content-length": file.content.length });
      response.end(file.content);
      return;
    }
    const upload = /^\/upload\/([^/]+)$/.exec(path);
    if (upload) {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const id = upload[1] ?? "";
      const existing = uploads.get(id);
      if (existing) uploads.set(id, { ...existing, content: Buffer.concat(chunks) });
      calls.push({ method: "upload", args: { file: id }, headers: request.headers, receivedAt: Date.now() });
      response.writeHead(existing ? 200 : 404, { "content-type": "text/plain" });
      response.end(existing ? "OK - uploaded" : "no such upload");
      return;
    }
    const body = await readBody(request);
    const args = parseArguments(body, request.headers["content-type"]);
    const method = path.startsWith("/api/") ? path.slice("/api/".length) : path.startsWith("/response/") ? `response:${path.slice("/response/".length)}` : path;
    const call: RecordedSlackCall = { method, args, headers: request.headers, receivedAt: Date.now() };
    calls.push(call);
    const failure = failures.get(method)?.shift();
    if (failure?.kind === "rate_limited") {
      response.writeHead(429, { "content-type": "application/json", "retry-after": String(failure.retryAfterSeconds) });
      response.end(JSON.stringify({ ok: false, error: "ratelimited" }));
      return;
    }
    if (failure?.kind === "server_error") {
      response.writeHead(failure.status ?? 500, { "content-type": "text/plain" });
      response.end("fake Slack: internal error");
      return;
    }
    // What the real Web API refuses, the fake refuses too (see fake-slack-refusals.ts).
    const result =
      failure?.kind === "error"
        ? { ok: false, error: failure.error }
        : method.startsWith("response:")
          ? { ok: true }
          : (refuseCall(method, args, request.headers, workspace) ??
            webApiRefusal(method, args) ??
            answerWorkspaceLookup(method, args, workspace) ??
            answer(method, args));
    call.result = result;
    // Every Web API answer carries the token's scopes (docs.slack.dev, "Scopes": x-oauth-scopes).
    response.writeHead(200, {
      "content-type": "application/json",
      ...(method.startsWith("response:") ? {} : { "x-oauth-scopes": workspace.scopes.join(",") }),
    });
    response.end(JSON.stringify(result));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(`fake Slack failed: ${String(error)}`);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${String(port)}`;
  baseUrl = url;

  return {
    url,
    apiUrl: `${url}/api/`,
    calls,
    callsOf: (method) => calls.filter((call) => call.method === method),
    failNext(method, failure, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let index = 0; index < times; index += 1) queue.push(failure);
      failures.set(method, queue);
    },
    setGroupMembers: (groupId, userIds) => void groups.set(groupId, userIds),
    setSocketModeUrl: (url) => void (socketModeUrl = url),
    setFile: (id, file) => void shared.set(id, { ...file, content: typeof file.content === "string" ? Buffer.from(file.content, "utf8") : file.content }),
    uploads,
    setChannel: (id, channel) => void workspace.channels.set(id, channel),
    setUser: (id, user = {}) => void workspace.users.set(id, user),
    setScopes: (scopes) => void (workspace.scopes = scopes),
    setBotToken: (token) => void (workspace.botToken = token),
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline) {
          throw new Error(`fake Slack: condition not met within ${String(timeoutMs)} ms; calls so far: ${calls.map((call) => call.method).join(", ")}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
