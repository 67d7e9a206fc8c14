// Local SMTP server for development and tests: accepts every message, keeps it in memory,
// and exposes the inbox over a tiny HTTP API so the dev UI and tests can read it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

export type StoredMail = {
  id: string;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  links: string[];
};

export type SmtpSim = {
  smtpPort: number;
  httpPort: number;
  url: string;
  inboxUrl: string;
  messages(filter?: { to?: string }): StoredMail[];
  clear(): void;
  waitFor(pred: (m: StoredMail) => boolean, timeoutMs?: number): Promise<StoredMail>;
  stop(): Promise<void>;
};

const MAX_STORED_MESSAGES = 500;
// Far above any real transactional email; stops a runaway client from filling memory.
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function startSmtpSim(opts: { smtpPort?: number; httpPort?: number; host?: string } = {}): Promise<SmtpSim> {
  const host = opts.host ?? "127.0.0.1";
  // Oldest first internally; readers get newest first.
  let inbox: StoredMail[] = [];
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(0);

  const store = (mail: StoredMail) => {
    inbox.push(mail);
    if (inbox.length > MAX_STORED_MESSAGES) inbox = inbox.slice(inbox.length - MAX_STORED_MESSAGES);
    arrivals.emit("mail", mail);
  };

  const messages = (filter?: { to?: string }): StoredMail[] => {
    const wanted = filter?.to?.trim().toLowerCase();
    const matching = wanted ? inbox.filter((m) => m.to.includes(wanted)) : inbox;
    return matching.slice().reverse();
  };

  const smtp = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    // Without TLS, smtp-server would refuse AUTH; a dev sim must accept whatever credentials the app is configured with.
    allowInsecureAuth: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // A reverse DNS lookup per connection only slows tests down on loopback.
    disableReverseLookup: true,
    banner: "mnetifi SMTP simulator",
    // smtp-server waits 30s for open connections by default, which would make stop() hang in tests.
    closeTimeout: 500,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? "sim" });
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error("Message exceeds the simulator's size limit"), { responseCode: 552 }));
            return;
          }
          const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
          const html = typeof parsed.html === "string" ? parsed.html : "";
          const text = parsed.text ?? "";
          store({
            id: randomUUID(),
            receivedAt: new Date().toISOString(),
            from: parsed.from?.text || envelopeFrom,
            // The envelope, not the To header, says who actually receives it (includes Bcc).
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? "",
            text,
            html,
            links: extractLinks(html, text),
          });
          callback();
        })
        .catch((err: unknown) => {
          callback(err instanceof Error ? err : new Error(String(err)));
        });
    },
  });
  smtp.on("error", (err) => console.warn(`[smtp-sim] ${err.message}`));

  const http = createServer((req, res) => {
    try {
      handleHttp(req, res, { messages, clear: () => (inbox = []) });
    } catch (err) {
      sendJson(res, 500, { error: err instanceof Error ? err.message : "internal error" });
    }
  });
  http.on("clientError", (_err, socket) => socket.destroy());

  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.server.once("error", reject);
    smtp.listen(opts.smtpPort ?? 0, host, () => {
      smtp.server.off("error", reject);
      resolve((smtp.server.address() as AddressInfo).port);
    });
  });
  const httpPort = await listen(http, opts.httpPort ?? 0, host).catch(async (err: unknown) => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw err;
  });

  return {
    smtpPort,
    httpPort,
    url: `smtp://${host}:${smtpPort}`,
    inboxUrl: `http://${host}:${httpPort}`,
    messages,
    clear() {
      inbox = [];
    },
    waitFor(pred, timeoutMs = 5000) {
      const already = messages().find(pred);
      if (already) return Promise.resolve(already);
      return new Promise<StoredMail>((resolve, reject) => {
        const onMail = (mail: StoredMail) => {
          if (!pred(mail)) return;
          clearTimeout(timer);
          arrivals.off("mail", onMail);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          arrivals.off("mail", onMail);
          reject(new Error(`No matching email arrived within ${timeoutMs}ms`));
        }, timeoutMs);
        arrivals.on("mail", onMail);
      });
    },
    async stop() {
      await Promise.all([
        new Promise<void>((resolve) => smtp.close(() => resolve())),
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        }),
      ]);
    },
  };
}

function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  inbox: { messages: (filter?: { to?: string }) => StoredMail[]; clear: () => void },
) {
  // The dev UI runs on another origin and reads the inbox straight from the browser.
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-methods", "GET, DELETE, OPTIONS");
  if (req.method === "OPTIONS") {
    res.writeHead(204).end();
    return;
  }

  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://localhost");
  } catch {
    sendJson(res, 404, { error: "Malformed request URL" });
    return;
  }
  const to = url.searchParams.get("to") ?? undefined;
  const path = url.pathname.replace(/\/+$/, "");

  if (path === "/messages" && req.method === "GET") {
    sendJson(res, 200, inbox.messages({ to }));
  } else if (path === "/messages/latest" && req.method === "GET") {
    const latest = inbox.messages({ to })[0];
    if (latest) sendJson(res, 200, latest);
    else sendJson(res, 404, { error: to ? `No messages for ${to}` : "No messages" });
  } else if (path === "/messages" && req.method === "DELETE") {
    inbox.clear();
    res.writeHead(204).end();
  } else {
    sendJson(res, 404, { error: `No route for ${req.method ?? "?"} ${url.pathname}` });
  }
  // Bodies are never read; drain them so keep-alive connections stay usable.
  req.resume();
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const HTML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", "#x27": "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#39|#x27);/gi, (_, name: string) => HTML_ENTITIES[name.toLowerCase()] ?? _);
}

/** Every href and bare URL in the html, then the text, de-duplicated, in order of appearance. */
export function extractLinks(html: string, text: string): string[] {
  const found: string[] = [];
  const hrefPattern = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
  const urlPattern = /\bhttps?:\/\/[^\s"'<>]+/gi;

  // hrefs and bare URLs are collected in document order so links[0] is the first link a reader sees.
  const htmlHits: { at: number; link: string }[] = [];
  for (const m of html.matchAll(hrefPattern)) {
    const raw = m[1] ?? m[2] ?? m[3] ?? "";
    htmlHits.push({ at: m.index, link: decodeEntities(raw.trim()) });
  }
  for (const m of html.matchAll(urlPattern)) htmlHits.push({ at: m.index, link: decodeEntities(trimUrl(m[0])) });
  htmlHits.sort((a, b) => a.at - b.at);
  for (const hit of htmlHits) found.push(hit.link);
  for (const m of text.matchAll(urlPattern)) found.push(trimUrl(m[0]));

  return [...new Set(found.filter((link) => link.length > 0 && !link.startsWith("#")))];
}

// Sentence punctuation after a URL in prose is not part of the URL.
function trimUrl(url: string): string {
  return url.replace(/[.,;:!?)\]}]+$/, "");
}
