import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { startSmtpSim, type SmtpSim, type StoredMail } from "../sim/smtp";
import { createSmtpMailer, type Mailer } from "../server/integrations/email";
import { brandedEmail } from "../server/integrations/email/layout";

let sim: SmtpSim;
let mailer: Mailer;

beforeAll(async () => {
  sim = await startSmtpSim({ smtpPort: 0, httpPort: 0 });
  // Credentials in the URL prove the sim accepts whatever auth the app is configured with.
  mailer = createSmtpMailer({ url: `smtp://app:secret@127.0.0.1:${sim.smtpPort}`, from: "mnetifi <no-reply@mnetifi.local>" });
});

afterAll(async () => {
  mailer.close();
  await sim.stop();
});

beforeEach(() => sim.clear());

const resetLink = "https://demo.mnetifi.local/reset-password?token=abc123&next=%2Fdashboard";

async function sendReset(to: string) {
  const body = brandedEmail({
    title: "Reset your password",
    preheader: "This link expires in 30 minutes",
    paragraphs: ["Someone asked to reset the password for <Demo ISP>.", "If it wasn't you, ignore this email."],
    action: { label: "Choose a new password", url: resetLink },
    footer: "mnetifi · Nairobi",
  });
  return mailer.send({ to, subject: "Reset your password", ...body });
}

describe("SMTP simulator", () => {
  it("receives a branded email sent through the SMTP mailer", async () => {
    const sent = await sendReset("Wanjiku@Example.co.ke");
    expect(sent.messageId).toMatch(/@/);

    const mail = await sim.waitFor((m) => m.to.includes("wanjiku@example.co.ke"));
    expect(mail.subject).toBe("Reset your password");
    expect(mail.to).toEqual(["wanjiku@example.co.ke"]);
    expect(mail.from).toContain("no-reply@mnetifi.local");
    expect(mail.links).toContain(resetLink);
    expect(mail.links.filter((l) => l === resetLink)).toHaveLength(1);
    expect(mail.text).toContain(`\n${resetLink}\n`);
    expect(mail.text).toContain("<Demo ISP>");
    // Interpolated text is escaped, never injected.
    expect(mail.html).toContain("&lt;Demo ISP&gt;");
    expect(mail.html).not.toContain("<Demo ISP>");
    expect(mail.html).toContain("#059669");
    expect(mail.html).toContain("Choose a new password");
    expect(new Date(mail.receivedAt).toString()).not.toBe("Invalid Date");
  });

  it("serves the inbox over HTTP and clears it with DELETE", async () => {
    await sendReset("otieno@example.co.ke");
    await sendReset("otieno@example.co.ke");
    await sendReset("akinyi@example.co.ke");
    await sim.waitFor((m) => m.to.includes("akinyi@example.co.ke"));

    const list = await fetch(`${sim.inboxUrl}/messages?to=otieno@example.co.ke`);
    expect(list.status).toBe(200);
    const listed = (await list.json()) as StoredMail[];
    expect(listed).toHaveLength(2);
    expect(listed[0]!.receivedAt >= listed[1]!.receivedAt).toBe(true);

    const latest = await fetch(`${sim.inboxUrl}/messages/latest?to=${encodeURIComponent("AKINYI@example.co.ke")}`);
    expect(latest.status).toBe(200);
    const latestMail = (await latest.json()) as StoredMail;
    expect(latestMail.subject).toBe("Reset your password");
    expect(latestMail.links).toContain(resetLink);

    const unknown = await fetch(`${sim.inboxUrl}/messages/latest?to=nobody@example.co.ke`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toHaveProperty("error");

    const badPath = await fetch(`${sim.inboxUrl}/nope`);
    expect(badPath.status).toBe(404);
    expect(await badPath.json()).toHaveProperty("error");

    const cleared = await fetch(`${sim.inboxUrl}/messages`, { method: "DELETE" });
    expect(cleared.status).toBe(204);
    expect(sim.messages()).toHaveLength(0);
    expect(await (await fetch(`${sim.inboxUrl}/messages`)).json()).toEqual([]);
  });

  it("accepts mail without authentication", async () => {
    const anonymous = createSmtpMailer({ url: sim.url, from: "mnetifi <no-reply@mnetifi.local>" });
    try {
      await anonymous.send({ to: "kamau@example.co.ke", subject: "Hello", text: "Plain https://example.co.ke/a.", html: "<p>Hi</p>" });
    } finally {
      anonymous.close();
    }
    const [mail] = sim.messages({ to: "kamau@example.co.ke" });
    expect(mail?.subject).toBe("Hello");
    expect(mail?.links).toEqual(["https://example.co.ke/a"]);
  });

  it("refuses an action link that is not http(s)", () => {
    expect(() => brandedEmail({ title: "x", paragraphs: [], action: { label: "Go", url: "javascript:alert(1)" } })).toThrow();
  });
});
