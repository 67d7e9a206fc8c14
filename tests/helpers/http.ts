import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { afterAll } from "vitest";

export type HttpResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** Serves an express app on a random loopback port for this test file. */
export async function serve(app: Express) {
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    /** A real HTTP request to 127.0.0.1 with any Host header (*.localhost needs no DNS this way). */
    request(method: string, path: string, opts: { host?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpResponse> {
      return new Promise((resolve, reject) => {
        const req = http.request(
          { host: "127.0.0.1", port, method, path, headers: { host: opts.host ?? `localhost:${port}`, ...opts.headers } },
          (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          },
        );
        req.on("error", reject);
        if (opts.body) req.write(opts.body);
        req.end();
      });
    },
  };
}
