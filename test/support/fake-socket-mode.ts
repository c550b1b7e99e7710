import { createHash } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * Slack's Socket Mode end, on loopback: a WebSocket server (RFC 6455, enough of it for one text
 * conversation) that greets the app with `hello`, sends envelopes the test writes, and records
 * the app's acknowledgements. Point the fake Web API's `apps.connections.open` at `url`.
 *
 * It follows Slack's "Using Socket Mode" (https://docs.slack.dev/apis/events-api/using-socket-mode/):
 * the connection URL comes from `apps.connections.open` (an app-level `xapp-` token with
 * `connections:write`); the first message is `{"type": "hello"}`; each event, interaction or
 * slash command arrives in an envelope with an `envelope_id` that the app acknowledges by
 * sending `{"envelope_id": …, "payload"?: …}` back (an envelope nobody acknowledges is waited on
 * until `send` times out, as Slack would retry it); Slack may drop a connection at any time and
 * the app must reconnect (`drop`, and `refuse` for reconnections Slack turns down).
 */

export interface SocketModeAck {
  envelope_id: string;
  payload?: unknown;
}

export type EnvelopeType = "slash_commands" | "interactive" | "events_api";

export interface FakeSocketMode {
  readonly url: string;
  readonly acks: SocketModeAck[];
  /** Resolves once an app has connected (and was sent `hello`). */
  connected(timeoutMs?: number): Promise<void>;
  /**
   * Send an envelope; resolves with the app's acknowledgement of it. Slack's types are
   * `slash_commands`, `interactive` and `events_api`; tests send others (and any payload) to see
   * what the app does with an envelope Slack would not send.
   */
  send(type: EnvelopeType | (string & {}), payload: unknown, timeoutMs?: number): Promise<SocketModeAck>;
  /** Send one text message as it is (an envelope of the test's making), without waiting for anything. */
  sendRaw(text: string): void;
  /** Slack drops the connection; while `refuse` is set, reconnections are refused too. */
  drop(options?: { refuse?: boolean }): void;
  /** Accept connections again (after `drop({ refuse: true })`). */
  accept(): void;
  close(): Promise<void>;
}

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65_536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
  return Buffer.concat([header, payload]);
}

function bigLength(length: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(length));
  return buffer;
}

/** Complete client frames at the start of `buffer` (clients always mask), and what is left. */
function readFrames(buffer: Buffer): { frames: Array<{ opcode: number; payload: Buffer }>; rest: Buffer } {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const first = buffer[offset] ?? 0;
    const second = buffer[offset + 1] ?? 0;
    let length = second & 0x7f;
    let cursor = offset + 2;
    if (length === 126) {
      if (buffer.length < cursor + 2) break;
      length = buffer.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      if (buffer.length < cursor + 8) break;
      length = Number(buffer.readBigUInt64BE(cursor));
      cursor += 8;
    }
    const masked = (second & 0x80) !== 0;
    const maskEnd = cursor + (masked ? 4 : 0);
    if (buffer.length < maskEnd + length) break;
    const payload = Buffer.from(buffer.subarray(maskEnd, maskEnd + length));
    if (masked) for (let index = 0; index < payload.length; index += 1) payload[index] = (payload[index] ?? 0) ^ (buffer[cursor + (index % 4)] ?? 0);
    frames.push({ opcode: first & 0x0f, payload });
    offset = maskEnd + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

export async function startFakeSocketMode(): Promise<FakeSocketMode> {
  const acks: SocketModeAck[] = [];
  const sockets = new Set<Socket>();
  let client: Socket | undefined;
  let envelopes = 0;
  let refusing = false;
  const server = createServer((_request, response) => {
    response.writeHead(426);
    response.end();
  });
  server.on("upgrade", (request: IncomingMessage, socket: Socket) => {
    if (refusing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    // An app process that dies resets its connection; Slack's end just loses it.
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      sockets.delete(socket);
      // The app hung up (after a `disconnect`, say): wait for its next connection.
      if (client === socket) client = undefined;
    });
    const key = String(request.headers["sec-websocket-key"] ?? "");
    const accept = createHash("sha1")
      .update(key + WEBSOCKET_GUID)
      .digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    client = socket;
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([pending, chunk]));
      pending = Buffer.from(rest);
      for (const { opcode, payload } of frames) {
        if (opcode === 0x9) socket.write(frame(0xa, payload));
        else if (opcode === 0x8) socket.end(frame(0x8, Buffer.alloc(0)));
        else if (opcode === 0x1) acks.push(JSON.parse(payload.toString("utf8")) as SocketModeAck);
      }
    });
    socket.write(
      frame(
        0x1,
        Buffer.from(
          JSON.stringify({
            type: "hello",
            num_connections: 1,
            debug_info: { host: "fake", approximate_connection_time: 3600 },
            connection_info: { app_id: "A0BATON" },
          }),
        ),
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const waitUntil = async (condition: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`fake Socket Mode: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    url: `ws://127.0.0.1:${String(port)}/link`,
    acks,
    connected: (timeoutMs = 5_000) => waitUntil(() => client !== undefined, timeoutMs, "the app to connect"),
    async send(type, payload, timeoutMs = 5_000) {
      if (!client) throw new Error("fake Socket Mode: no app is connected");
      envelopes += 1;
      const envelopeId = `envelope-${String(envelopes)}`;
      client.write(
        frame(
          0x1,
          Buffer.from(
            JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== "events_api", retry_attempt: 0, retry_reason: "" }),
          ),
        ),
      );
      await waitUntil(() => acks.some((ack) => ack.envelope_id === envelopeId), timeoutMs, `the ack of ${envelopeId}`);
      return acks.find((ack) => ack.envelope_id === envelopeId) as SocketModeAck;
    },
    sendRaw(text) {
      if (!client) throw new Error("fake Socket Mode: no app is connected");
      client.write(frame(0x1, Buffer.from(text)));
    },
    drop(options = {}) {
      refusing = options.refuse === true;
      client = undefined;
      for (const socket of sockets) socket.destroy();
    },
    accept() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
