/**
 * Stands in for an outside system that takes side effects (a chat post, a review): it records
 * every delivery and, like a well-behaved API, treats a repeated idempotency key as the same
 * request. `beforeAnswer` lets a test kill the sender after the effect landed but before the
 * sender heard back.
 *
 * It is no particular product: it models idempotency keys as the IETF HTTP working group's draft
 * "The Idempotency-Key HTTP Header Field"
 * (https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/) describes them (a repeat of a key gets the first
 * request's result), with the key carried in the JSON body. A body that is not JSON, or has no
 * key, is refused with 400, as that draft allows a server that requires the key to do.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedEffect {
  key: string;
  runId: string;
  step: string;
}

export interface EffectReceiver {
  url: string;
  deliveries: ReceivedEffect[];
  /** Distinct idempotency keys seen. */
  keys(): Set<string>;
  beforeAnswer: ((effect: ReceivedEffect) => Promise<void> | void) | undefined;
  close(): Promise<void>;
}

export async function startEffectReceiver(): Promise<EffectReceiver> {
  const deliveries: ReceivedEffect[] = [];
  const receiver: EffectReceiver = {
    url: "",
    deliveries,
    keys: () => new Set(deliveries.map((delivery) => delivery.key)),
    beforeAnswer: undefined,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      let body: Partial<ReceivedEffect> = {};
      try {
        body = JSON.parse(text) as Partial<ReceivedEffect>;
      } catch {
        // Refused below like a body without a key.
      }
      if (typeof body.key !== "string" || body.key === "") {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: "idempotency_key_missing", message: "Send the effect's idempotency key as `key`." }));
        return;
      }
      const effect = { key: body.key, runId: String(body.runId ?? ""), step: String(body.step ?? "") };
      deliveries.push(effect);
      void Promise.resolve(receiver.beforeAnswer?.(effect)).then(() => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ receipt: `receipt-for-${effect.key}` }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/effects`;
  return receiver;
}
