import { request as httpRequest } from "node:http";

/**
 * A POST whose body is streamed (chunked) from the test, one chunk at a time, until the server
 * answers or `maxBytes` were sent: shows whether a server answers before it has read a body,
 * and how much of it was sent by then.
 */

export interface StreamedAnswer {
  status: number;
  json: Record<string, unknown>;
  /** Body bytes written before the answer arrived. */
  bytesSent: number;
  /** Whether the whole body (`maxBytes`) had been written when the answer arrived. */
  finished: boolean;
}

export function postStreaming(
  url: string,
  headers: Record<string, string>,
  options: { chunk: Buffer; maxBytes: number; endBody: boolean },
): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    let finished = false;
    const request = httpRequest(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } }, (response) => {
      answered = true;
      const sentAtAnswer = bytesSent;
      const finishedAtAnswer = finished;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        request.destroy();
        resolve({
          status: response.statusCode ?? 0,
          json: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>,
          bytesSent: sentAtAnswer,
          finished: finishedAtAnswer,
        });
      });
    });
    // The server may close while the body is still being written: that is the point. A write can
    // then fail (EPIPE, ECONNRESET) a moment before the answer already on its way is read: stop
    // writing and give the answer a moment to arrive before calling it a failure.
    let stopped = false;
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (answered) return;
      stopped = true;
      if (error.code === "EPIPE" || error.code === "ECONNRESET") setTimeout(() => answered || reject(error), 1_000);
      else reject(error);
    });
    // One chunk per turn of the event loop: the answer, once it is on its way, is read (poll
    // phase) before the next chunk is written (check phase), instead of writing into a socket
    // the server has already closed.
    const writeMore = (): void => {
      if (answered || stopped) return;
      if (bytesSent >= options.maxBytes) {
        finished = true;
        if (options.endBody) request.end();
        return;
      }
      bytesSent += options.chunk.length;
      if (request.write(options.chunk)) setImmediate(writeMore);
      else request.once("drain", () => setImmediate(writeMore));
    };
    request.flushHeaders();
    writeMore();
  });
}
