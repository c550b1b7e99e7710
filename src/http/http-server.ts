import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BatonError, describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";

/**
 * The process's one HTTP server: Slack's requests (HTTP mode), webhooks and health share `PORT`,
 * in Socket Mode too. Routes are exact method + path; anything else is a JSON 404 that names
 * the routes there are.
 */

export interface Route {
  method: "GET" | "POST";
  path: string;
  handle: RequestListener;
}

export interface RunningHttpServer {
  server: Server;
  /** The port it listens on (useful when started on port 0). */
  port: number;
  close(): Promise<void>;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

export function healthRoute(isReady: () => boolean): Route {
  return {
    method: "GET",
    path: "/healthz",
    handle: (_request, response) => (isReady() ? sendJson(response, 200, { status: "ok" }) : sendJson(response, 503, { status: "starting" })),
  };
}

/** A port that cannot be listened on is a configuration problem: say which port and what to do. */
function listenError(error: NodeJS.ErrnoException, port: number): Error {
  const fix = 'Stop whatever holds it, or set PORT to a free port (PORT=0 lets the system pick one; the log line "baton is up" says which).';
  if (error.code === "EADDRINUSE")
    return new BatonError("CONFIG_INVALID", `Port ${String(port)} is already in use by another process. ${fix}`, { variable: "PORT", port }, { cause: error });
  if (error.code === "EACCES")
    return new BatonError(
      "CONFIG_INVALID",
      `baton may not listen on port ${String(port)} (ports below 1024 need privileges). ${fix}`,
      { variable: "PORT", port },
      { cause: error },
    );
  return error;
}

export async function startHttpServer(options: { port: number; host?: string; routes: ReadonlyArray<Route>; logger: Logger }): Promise<RunningHttpServer> {
  const { routes, logger } = options;
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const route = routes.find((candidate) => candidate.path === path && candidate.method === request.method);
    if (!route) {
      sendJson(response, 404, {
        error: "NOT_FOUND",
        message: `Nothing at ${request.method ?? "?"} ${path}. Routes: ${routes.map((candidate) => `${candidate.method} ${candidate.path}`).join(", ")}.`,
      });
      return;
    }
    try {
      const result: unknown = route.handle(request, response);
      if (result instanceof Promise) result.catch((error: unknown) => fail(request, response, path, error));
    } catch (error) {
      fail(request, response, path, error);
    }
  };
  const fail = (request: IncomingMessage, response: ServerResponse, path: string, error: unknown): void => {
    // A sender that hung up mid-body is the sender's doing, not a failure of baton's.
    if (!request.complete && (request.destroyed || response.destroyed)) {
      logger.info({ path, error: describeError(error) }, "the client closed the connection before sending its whole body");
      return;
    }
    logger.error({ path, error: describeError(error) }, "an HTTP route failed");
    if (!response.headersSent) sendJson(response, 500, { error: "INTERNAL", message: "baton failed to handle this request; see its log." });
    else response.end();
  };
  const server = createServer(listener);
  // Slack and webhook senders keep connections alive; keep them a little longer than they do.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, options.port)));
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
