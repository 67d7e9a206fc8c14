import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startSmsSim, type SmsSim } from "../sim/sms";
import { createAfricasTalkingSender } from "../server/integrations/sms/africastalking";
import type { SmsSender } from "../server/integrations/sms";

// A stand-in for the app's delivery-report webhook: records every callback body.
let reportServer: Server;
let reports: URLSearchParams[] = [];
let reportArrived: (() => void) | null = null;
let sim: SmsSim;
let sender: SmsSender;

beforeAll(async () => {
  reportServer = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      reports.push(new URLSearchParams(body));
      res.writeHead(200).end();
      reportArrived?.();
    });
  });
  await new Promise<void>((resolve) => reportServer.listen(0, "127.0.0.1", resolve));
  const reportUrl = `http://127.0.0.1:${(reportServer.address() as AddressInfo).port}/webhooks/at/delivery`;

  sim = await startSmsSim({ port: 0, deliveryReportUrl: reportUrl, deliveryDelayMs: 50 });
  sender = createAfricasTalkingSender({ baseUrl: sim.baseUrl, apiKey: sim.apiKey, username: sim.username, from: "MNETIFI" });
});

afterAll(async () => {
  await sim.stop();
  await new Promise<void>((resolve) => reportServer.close(() => resolve()));
});

beforeEach(() => {
  sim.clear();
  reports = [];
});

function nextReport(predicate: (r: URLSearchParams) => boolean): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no delivery report")), 3000);
    const check = () => {
      const found = reports.find(predicate);
      if (!found) return;
      clearTimeout(timer);
      reportArrived = null;
      resolve(found);
    };
    reportArrived = check;
    check();
  });
}

describe("Africa's Talking simulator and sender", () => {
  it("sends a one-part SMS and answers in AT's shape", async () => {
    const result = await sender.send("254712345678", "Your voucher code is 4821");
    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^ATXid_[0-9a-f]+$/), status: "sent", cost: "KES 0.8000", parts: 1 });

    const [stored] = sim.messages({ to: "+254712345678" });
    expect(stored).toMatchObject({ id: result.providerMessageId, to: "+254712345678", from: "MNETIFI", message: "Your voucher code is 4821", parts: 1 });
  });

  it("answers the raw API exactly like AT", async () => {
    const res = await fetch(`${sim.baseUrl}/version1/messaging`, {
      method: "POST",
      headers: { apiKey: sim.apiKey, Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: sim.username, to: "+254712345678,+254112345678", message: "hi" }).toString(),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { SMSMessageData: { Message: string; Recipients: unknown[] } };
    expect(body.SMSMessageData.Message).toBe("Sent to 2/2 Total Cost: KES 1.6000");
    expect(body.SMSMessageData.Recipients).toEqual([
      { statusCode: 101, number: "+254712345678", status: "Success", cost: "KES 0.8000", messageId: expect.stringMatching(/^ATXid_/), messageParts: 1 },
      { statusCode: 101, number: "+254112345678", status: "Success", cost: "KES 0.8000", messageId: expect.stringMatching(/^ATXid_/), messageParts: 1 },
    ]);
  });

  it("counts a 170-character message as 2 parts", async () => {
    const result = await sender.send("+254712345678", "x".repeat(170));
    expect(result.status).toBe("sent");
    expect(result.parts).toBe(2);
    expect(result.cost).toBe("KES 1.6000");
  });

  it("fails an invalid number", async () => {
    const result = await sender.send("+255712345678", "hello");
    expect(result).toEqual({ providerMessageId: null, status: "failed", cost: null, parts: 0, error: "InvalidPhoneNumber" });
  });

  it("fails a number scripted to have insufficient balance", async () => {
    const res = await fetch(`${sim.baseUrl}/_sim/script`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ number: "+254722000111", outcome: "insufficient_balance" }),
    });
    expect(res.status).toBe(200);
    const result = await sender.send("254722000111", "hello");
    expect(result.status).toBe("failed");
    expect(result.error).toBe("InsufficientBalance");
    sim.script("+254722000111", "success");
  });

  it("throws when the API key is wrong", async () => {
    const wrongKey = createAfricasTalkingSender({ baseUrl: sim.baseUrl, apiKey: "nope", username: sim.username });
    await expect(wrongKey.send("+254712345678", "hello")).rejects.toThrow("Africa's Talking rejected the API key");
    const raw = await fetch(`${sim.baseUrl}/version1/messaging`, { method: "POST", body: "username=sandbox&to=%2B254712345678&message=hi" });
    expect(raw.status).toBe(401);
    expect(await raw.text()).toBe("The supplied authentication is invalid");
  });

  it("throws when the provider cannot be reached", async () => {
    // Nothing listens on port 1.
    const unreachable = createAfricasTalkingSender({ baseUrl: "http://127.0.0.1:1", apiKey: "k", username: "u" });
    await expect(unreachable.send("+254712345678", "hello")).rejects.toThrow();
  });

  it("POSTs delivery reports to the configured URL", async () => {
    const ok = await sender.send("+254712345678", "delivered one");
    const report = await nextReport((r) => r.get("id") === ok.providerMessageId);
    expect(Object.fromEntries(report)).toEqual({ id: ok.providerMessageId, status: "Success", phoneNumber: "+254712345678", networkCode: "63902" });
    await sim.waitFor((m) => m.id === ok.providerMessageId && m.status === "delivered");

    sim.script("+254733000222", "delivery_failed");
    const doomed = await sender.send("+254733000222", "never arrives");
    expect(doomed.status).toBe("sent");
    const failedReport = await nextReport((r) => r.get("id") === doomed.providerMessageId);
    expect(failedReport.get("status")).toBe("Failed");
    expect(failedReport.get("failureReason")).toBe("DeliveryFailure");
    await sim.waitFor((m) => m.id === doomed.providerMessageId && m.status === "failed");
  });

  it("answers malformed bodies with 400 and keeps running", async () => {
    const headers = { apiKey: sim.apiKey, Accept: "application/json" };
    const junkForm = await fetch(`${sim.baseUrl}/version1/messaging`, { method: "POST", headers, body: "%%%&&&=\u0000garbage" });
    expect(junkForm.status).toBe(400);
    const badJson = await fetch(`${sim.baseUrl}/version1/messaging`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(badJson.status).toBe(400);
    const missingMessage = await fetch(`${sim.baseUrl}/version1/messaging`, {
      method: "POST",
      headers,
      body: new URLSearchParams({ username: sim.username, to: "+254712345678" }).toString(),
    });
    expect(missingMessage.status).toBe(400);
    expect(await missingMessage.text()).toContain("message");
    const badScript = await fetch(`${sim.baseUrl}/_sim/script`, { method: "POST", body: "[1,2" });
    expect(badScript.status).toBe(400);
    expect((await fetch(`${sim.baseUrl}/nowhere`)).status).toBe(404);

    const stillUp = await sender.send("+254712345678", "still here");
    expect(stillUp.status).toBe("sent");
  });

  it("lists and clears stored messages over HTTP", async () => {
    await sender.send("+254712345678", "first");
    await sender.send("+254712345678", "second");
    const listed = (await (await fetch(`${sim.baseUrl}/_sim/messages?to=${encodeURIComponent("+254712345678")}`)).json()) as { message: string }[];
    expect(listed.map((m) => m.message)).toEqual(["second", "first"]);
    expect((await fetch(`${sim.baseUrl}/_sim/messages`, { method: "DELETE" })).status).toBe(204);
    expect(sim.messages()).toEqual([]);
  });
  it("serves several AT accounts, each with its own API key", async () => {
    const added = await fetch(`${sim.baseUrl}/_sim/accounts`, { method: "POST", body: JSON.stringify({ username: "isp-one", apiKey: "key-one" }) });
    expect(added.status).toBe(200);
    const own = createAfricasTalkingSender({ baseUrl: sim.baseUrl, apiKey: "key-one", username: "isp-one", from: "ISPONE" });
    const result = await own.send("+254712345678", "from isp-one");
    expect(result.status).toBe("sent");
    expect(sim.messages()[0]).toMatchObject({ username: "isp-one", from: "ISPONE" });
    // A known key with another account's username is refused like a bad key.
    const mixed = createAfricasTalkingSender({ baseUrl: sim.baseUrl, apiKey: "key-one", username: sim.username });
    await expect(mixed.send("+254712345678", "hello")).rejects.toThrow("Africa's Talking rejected the API key");
  });

  it("answers HTTP 500 when told to fail, then recovers", async () => {
    const fail = await fetch(`${sim.baseUrl}/_sim/fail`, { method: "POST", body: JSON.stringify({ times: 1 }) });
    expect(fail.status).toBe(200);
    await expect(sender.send("+254712345678", "hello")).rejects.toThrow("HTTP 500");
    expect((await sender.send("+254712345678", "hello")).status).toBe("sent");
  });

  it("refuses malformed control requests", async () => {
    const post = (path: string, body: unknown) => fetch(`${sim.baseUrl}${path}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
    expect((await post("/_sim/config", { incomingUrl: "ftp://example" })).status).toBe(400);
    expect((await post("/_sim/config", { username: "", deliveryReportUrl: null })).status).toBe(400);
    expect((await post("/_sim/config", "[]")).status).toBe(400);
    expect((await post("/_sim/accounts", { username: "x" })).status).toBe(400);
    expect((await post("/_sim/fail", { times: -1 })).status).toBe(400);
    expect((await post("/_sim/incoming", { from: "+254712345678" })).status).toBe(400);
    expect((await sender.send("+254712345678", "still here")).status).toBe("sent");
  });
});
