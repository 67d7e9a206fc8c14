// HTTP plumbing every HTTP simulator shares (SMS gateways, WhatsApp providers): answers, URL
// checks and a server on 127.0.0.1 that answers 500 instead of crashing when a route throws.
// Reading bodies stays with each family: the SMS gateways answer 413 themselves, the WhatsApp
// providers drain and answer in their own error format.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent || res.destroyed) return;
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = "text/plain; charset=utf-8") {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": contentType }).end(text);
}

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const internalError = (res: ServerResponse, err: unknown) => sendJson(res, 500, { error: err instanceof Error ? err.message : "internal error" });

/** Serves `route` on 127.0.0.1 (port 0: any free one); a route that throws gets `onError`'s answer. */
export async function listen(
  port: number | undefined,
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onError: (res: ServerResponse, err: unknown) => void = internalError,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => onError(res, err));
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  return { server, port: bound, close: () => closeServer(server) };
}
