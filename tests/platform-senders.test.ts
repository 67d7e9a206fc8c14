// Issue 8, "Platform settings": the platform's own M-Pesa account, SMS sender and email From,
// set by the super admin in the console. Secrets sealed at rest and masked on the way out;
// changes audited by field name, never value; what is used right now is the console's saved
// sender, else the environment's (here: the one the test injects, as `npm start` does with the
// simulators). Real embedded Postgres, the Daraja, SMS and SMTP simulators, a real worker.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { run, Logger, type Runner } from "graphile-worker";
import { eq, like } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { appContext, createPlatformUser, createTenantFixture, noIntegrations, requestWithSession, testEnv, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withPlatform } from "../db/client";
import { auditEvents, platformSettings } from "../db/schema";
import { buildTaskList } from "../jobs";
import { startDarajaSim, type DarajaSim } from "../sim/daraja";
import { startSmsSim, type SmsSim } from "../sim/sms";
import { startSmtpSim, type SmtpSim } from "../sim/smtp";
import { createDarajaClient, type DarajaCredentials } from "../server/integrations/mpesa";
import { createSmtpMailer } from "../server/integrations/email";
import { createAfricasTalkingSender } from "../server/integrations/sms/africastalking";
import { SIM_PLATFORM_MPESA, type Integrations } from "../server/integrations";
import { enqueueJob } from "../server/services/jobs";
import { mailFromInUse, mpesaInUse, platformSenderNow, smsInUse } from "../server/services/platform-senders";
import { getCaller } from "../server/trpc/root";
import { waitFor } from "./helpers/wait";
import { refusal } from "./helpers/trpc";

/** What the server environment gives (PLATFORM_MPESA_*, PLATFORM_SMS_*, MAIL_FROM). */
const ENV_MPESA: DarajaCredentials = { environment: "sandbox", accountType: "paybill", consumerKey: SIM_PLATFORM_MPESA.consumerKey, consumerSecret: SIM_PLATFORM_MPESA.consumerSecret, shortcode: SIM_PLATFORM_MPESA.shortcode, passkey: SIM_PLATFORM_MPESA.passkey };
const ENV_MAIL_FROM = "mnetifi <no-reply@mnetifi.test>";
/** A second platform account in the Daraja simulator: the one the super admin saves in the console. */
const CONSOLE_MPESA = { consumerKey: "console-platform-key-7Q2x", consumerSecret: "console-platform-secret-9Zk1", shortcode: "4090909", passkey: "c0ns01e5a1f0c3e8b7d4a2f9e6c1b8d3a7f0e4c2b9d6a1f8e3c7b0d5a2f9e6c1b8", name: "MNETIFI CONSOLE" };
const CONSOLE_AT = { username: "mnetifi-console", apiKey: "atsk_console_4f1e2d3c9b8a", senderId: "MNETIFI" };
const SECRETS = [CONSOLE_MPESA.consumerKey, CONSOLE_MPESA.consumerSecret, CONSOLE_MPESA.passkey, CONSOLE_AT.apiKey];

let t: TestDatabase;
let daraja: DarajaSim;
let sms: SmsSim;
let smtp: SmtpSim;
let worker: Runner;
let integrations: Integrations;
let root: { id: string; token: string };
let isp: TenantFixture;

const env = { ...testEnv, PLATFORM_SMS_USERNAME: "env-platform", PLATFORM_SMS_API_KEY: "env-at-key", PLATFORM_SMS_SENDER_ID: "ENVSENDER", MAIL_FROM: ENV_MAIL_FROM };
const consoleAs = (token: string) => getCaller({ ...appContext(t.db, { kind: "admin" }, integrations), env }, requestWithSession("admin.mnetifi.test", token));
const ispAs = (f: TenantFixture) => getCaller({ ...appContext(t.db, { kind: "tenant", tenant: f.tenant }, integrations), env }, requestWithSession(`${f.tenant.slug}.mnetifi.test`, f.token));
const row = async () => (await withPlatform(t.db, null, (tx) => tx.select().from(platformSettings)))[0]!;

beforeAll(async () => {
  t = await createTestDatabase();
  daraja = await startDarajaSim({ port: 0 });
  daraja.addAccount({ ...SIM_PLATFORM_MPESA });
  daraja.addAccount({ ...CONSOLE_MPESA });
  sms = await startSmsSim({ port: 0, open: true });
  smtp = await startSmtpSim({ smtpPort: 0, httpPort: 0 });
  integrations = {
    ...noIntegrations,
    mailer: createSmtpMailer({ url: smtp.url, from: ENV_MAIL_FROM }),
    platformSms: createAfricasTalkingSender({ baseUrl: sms.baseUrl, apiKey: "env-at-key", username: "env-platform", from: "ENVSENDER" }),
    daraja: createDarajaClient({ baseUrlFor: () => daraja.baseUrl }),
    platformMpesa: ENV_MPESA,
    messagingEndpoints: { ...noIntegrations.messagingEndpoints, africastalking: sms.baseUrl },
  };
  worker = await run({
    pgPool: t.queue,
    taskList: buildTaskList(t.db, integrations, { secrets: testSecrets, publicBaseUrl: "http://127.0.0.1:1", queryDelaysS: [0.3, 0.3, 0.5, 1] }),
    concurrency: 2,
    noHandleSignals: true,
    pollInterval: 100,
    logger: new Logger(() => (level, message) => (process.env.DEBUG_WORKER ? console.log(level, message) : undefined)),
  });
  root = await createPlatformUser(t.db, "super_admin", "senders-root");
  isp = await createTenantFixture(t.db, "senders-isp");
});

afterAll(async () => {
  await worker?.stop();
  integrations?.mailer.close();
  for (const s of [daraja, sms, smtp]) await s?.stop();
});

describe("with nothing saved in the console", () => {
  it("the environment's senders are in use, and the page says so", async () => {
    const { general, senders } = await (await consoleAs(root.token)).platformSettings.get();
    expect(general).toMatchObject({ trialHours: 24, reminderDays: [3, 1] });
    expect(senders.mpesa).toMatchObject({ inUse: "environment", saved: null, fallback: { shortcode: SIM_PLATFORM_MPESA.shortcode, environment: "sandbox" } });
    expect(senders.sms).toMatchObject({ inUse: "environment", saved: null, fallback: { username: "env-platform", senderId: "ENVSENDER" } });
    expect(senders.email).toMatchObject({ inUse: "environment", saved: null, fallback: ENV_MAIL_FROM });
    const r = await row();
    expect(mpesaInUse(r, testSecrets, integrations)).toEqual({ mpesa: ENV_MPESA, source: "environment" });
    expect(smsInUse(r, testSecrets, integrations)).toEqual({ sms: integrations.platformSms, source: "environment" });
    expect(mailFromInUse(r)).toEqual({ mailFrom: undefined, source: "environment" });
    // Without an environment account either: not configured.
    expect(mpesaInUse(r, testSecrets, { platformMpesa: null })).toEqual({ mpesa: null, source: "none" });
    // The Test button works on the environment's account too.
    expect(await (await consoleAs(root.token)).platformSettings.testMpesa()).toMatchObject({ ok: true, source: "environment", shortcode: SIM_PLATFORM_MPESA.shortcode });
  });
});

describe("saving the M-Pesa account", () => {
  it("validates field by field and saves nothing on error", async () => {
    const c = await consoleAs(root.token);
    const bad = await refusal(c.platformSettings.saveMpesa({ environment: "live", accountType: "paybill", shortcode: "12", consumerKey: "k" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad).toMatchObject({ fieldErrors: { environment: [expect.any(String)], shortcode: ["The shortcode is 5–7 digits."] } });
    const till = await refusal(c.platformSettings.saveMpesa({ environment: "sandbox", accountType: "till", shortcode: "600100", tillNumber: "" }));
    expect(till).toMatchObject({ fieldErrors: { tillNumber: [expect.stringContaining("till number")] } });
    // The first save needs every secret.
    const missing = await refusal(c.platformSettings.saveMpesa({ environment: "sandbox", accountType: "paybill", shortcode: CONSOLE_MPESA.shortcode, consumerKey: CONSOLE_MPESA.consumerKey }));
    expect(missing).toMatchObject({ fieldErrors: { consumerSecret: [expect.stringContaining("consumer secret")], passkey: [expect.stringContaining("passkey")] } });
    expect((await row()).mpesaShortcode).toBeNull();
  });

  it("keeps the secrets encrypted at rest, shows them masked, and audits field names only", async () => {
    const c = await consoleAs(root.token);
    const saved = await c.platformSettings.saveMpesa({ environment: "sandbox", accountType: "paybill", shortcode: CONSOLE_MPESA.shortcode, consumerKey: CONSOLE_MPESA.consumerKey, consumerSecret: CONSOLE_MPESA.consumerSecret, passkey: CONSOLE_MPESA.passkey });
    expect(saved.changed.sort()).toEqual(["accountType", "consumerKey", "consumerSecret", "environment", "passkey", "shortcode"]);

    // The raw columns are sealed (AES-GCM), not the plaintext.
    const r = await row();
    for (const [sealed, plain] of [
      [r.mpesaConsumerKeyEnc, CONSOLE_MPESA.consumerKey],
      [r.mpesaConsumerSecretEnc, CONSOLE_MPESA.consumerSecret],
      [r.mpesaPasskeyEnc, CONSOLE_MPESA.passkey],
    ] as const) {
      expect(sealed).toMatch(/^v1\./);
      expect(sealed).not.toContain(plain);
      expect(testSecrets.decrypt(sealed!)).toBe(plain);
    }
    const owner = await t.ownerClient();
    const raw = await owner.query("select to_jsonb(s)::text as j from platform_settings s");
    await owner.end();
    for (const secret of SECRETS) expect(raw.rows[0].j).not.toContain(secret);

    // The console sees them masked.
    const { senders } = await c.platformSettings.get();
    expect(senders.mpesa).toMatchObject({ inUse: "console", saved: { environment: "sandbox", accountType: "paybill", shortcode: CONSOLE_MPESA.shortcode, consumerKey: `••••${CONSOLE_MPESA.consumerKey.slice(-4)}`, consumerSecretSaved: true, passkeySaved: true } });
    for (const secret of SECRETS) expect(JSON.stringify(senders)).not.toContain(secret);

    // Saving again with the secrets left empty keeps the saved ones; only the changed field is named.
    const again = await c.platformSettings.saveMpesa({ environment: "sandbox", accountType: "paybill", shortcode: CONSOLE_MPESA.shortcode, consumerKey: "", consumerSecret: "", passkey: CONSOLE_MPESA.passkey });
    expect(again.changed).toEqual([]);
    const after = await row();
    expect(testSecrets.decrypt(after.mpesaConsumerSecretEnc!)).toBe(CONSOLE_MPESA.consumerSecret);
    expect(testSecrets.decrypt(after.mpesaConsumerKeyEnc!)).toBe(CONSOLE_MPESA.consumerKey);

    // The audit trail: who changed which fields, and no secret anywhere in it (row-change rows included).
    const events = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(like(auditEvents.action, "platform.senders%")));
    const changed = events.filter((e) => e.action === "platform.senders_changed");
    expect(changed[0]).toMatchObject({ actorKind: "platform_user", actorId: root.id, details: { sender: "mpesa", changed: expect.arrayContaining(["shortcode", "consumerSecret", "passkey"]) } });
    const everything = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents));
    for (const secret of SECRETS) expect(JSON.stringify(everything)).not.toContain(secret);
  });

  it("is what resolution returns now (preferred over the environment), and Test gets a token with it", async () => {
    const { mpesa, source } = await platformSenderNow(t.db, (r) => mpesaInUse(r, testSecrets, integrations));
    expect(source).toBe("console");
    expect(mpesa).toMatchObject({ shortcode: CONSOLE_MPESA.shortcode, consumerKey: CONSOLE_MPESA.consumerKey, consumerSecret: CONSOLE_MPESA.consumerSecret, passkey: CONSOLE_MPESA.passkey });
    const test = await (await consoleAs(root.token)).platformSettings.testMpesa();
    expect(test).toEqual({ ok: true, source: "console", shortcode: CONSOLE_MPESA.shortcode });
    // The console's billing page knows ISPs can pay by M-Pesa.
    expect((await (await consoleAs(root.token)).platformBilling.summary()).platformMpesa).toBe(true);
  });

  it("an ISP's subscription STK push goes to the shortcode saved in the console, and the STK query job settles it with the same account", async () => {
    const c = await ispAs(isp);
    await c.billing.chooseTier({ tierId: "premium" });
    const phone = "254722555101";
    // No callback at all: only the STK query job (with the console's credentials) can settle it.
    daraja.scriptStk(phone, { delayMs: 50, drop: true });
    const { paymentId } = await c.billing.pay({ phone: "0722 555 101" });
    const push = daraja.stkSessions().find((s) => s.phone === phone);
    expect(push).toMatchObject({ shortcode: CONSOLE_MPESA.shortcode, amount: 1500 });
    // The first STK query is due in 30 s: bring it forward (same job key, so the scheduled one moves).
    await withPlatform(t.db, null, (tx) => enqueueJob(tx, "billing_query_stk", { tenantId: isp.tenant.id, paymentId, attempt: 0 }, { jobKey: `billing-stk-query:${paymentId}` }));
    const paid = await waitFor("paid by the STK query", async () => {
      const s = await (await ispAs(isp)).billing.paymentStatus({ id: paymentId });
      return s.status === "paid" ? s : null;
    });
    expect(paid.status).toBe("paid");
    // The query job asked with the console's account (its shortcode and passkey-derived password).
    const queries = daraja.requests({ path: "/mpesa/stkpushquery/v1/query" }).filter((q) => (q.body as { CheckoutRequestID?: string }).CheckoutRequestID === push!.checkoutRequestId);
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect(q.body).toMatchObject({ BusinessShortCode: CONSOLE_MPESA.shortcode });
  });

  it("a wrong saved secret fails the Test with Daraja's reason; removing the account falls back to the environment's", async () => {
    const c = await consoleAs(root.token);
    await c.platformSettings.saveMpesa({ environment: "sandbox", accountType: "paybill", shortcode: CONSOLE_MPESA.shortcode, consumerSecret: "not-the-secret" });
    const test = await c.platformSettings.testMpesa();
    expect(test.ok).toBe(false);
    expect(test).toMatchObject({ source: "console", reason: expect.any(String) });
    await c.platformSettings.clearSender({ sender: "mpesa" });
    const r = await row();
    expect([r.mpesaShortcode, r.mpesaConsumerKeyEnc, r.mpesaConsumerSecretEnc, r.mpesaPasskeyEnc]).toEqual([null, null, null, null]);
    expect((await c.platformSettings.get()).senders.mpesa.inUse).toBe("environment");
    expect((await platformSenderNow(t.db, (x) => mpesaInUse(x, testSecrets, integrations))).mpesa).toEqual(ENV_MPESA);
    const events = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "platform.senders_changed")));
    expect(events.map((e) => e.details)).toContainEqual({ sender: "mpesa", cleared: true });
  });
});

describe("the SMS sender", () => {
  it("validates, seals the API key, and sends the platform's texts (a sign-in code job, the Test) through the saved account", async () => {
    const c = await consoleAs(root.token);
    const bad = await refusal(c.platformSettings.saveSms({ username: "", senderId: "WAY-TOO-LONG-SENDER" }));
    expect(bad).toMatchObject({ fieldErrors: { username: [expect.any(String)], senderId: [expect.any(String)] } });
    const noKey = await refusal(c.platformSettings.saveSms({ username: CONSOLE_AT.username }));
    expect(noKey).toMatchObject({ fieldErrors: { apiKey: [expect.stringContaining("API key")] } });

    // Before: the environment's account sends.
    await withPlatform(t.db, null, (tx) => enqueueJob(tx, "send_platform_sms", { to: "254722555201", message: "123456 is your sign-in code (before)" }));
    expect(await sms.waitFor((m) => m.to === "+254722555201")).toMatchObject({ username: "env-platform", from: "ENVSENDER" });

    await c.platformSettings.saveSms({ username: CONSOLE_AT.username, apiKey: CONSOLE_AT.apiKey, senderId: CONSOLE_AT.senderId });
    const r = await row();
    expect(r.smsApiKeyEnc).toMatch(/^v1\./);
    expect(r.smsApiKeyEnc).not.toContain(CONSOLE_AT.apiKey);
    const { senders } = await c.platformSettings.get();
    expect(senders.sms).toMatchObject({ inUse: "console", saved: { username: CONSOLE_AT.username, apiKey: `••••${CONSOLE_AT.apiKey.slice(-4)}`, senderId: "MNETIFI" } });
    expect(JSON.stringify(senders)).not.toContain(CONSOLE_AT.apiKey);

    // A platform SMS job (what a 2FA code or a billing reminder enqueues) now goes out through the saved account.
    await withPlatform(t.db, null, (tx) => enqueueJob(tx, "send_platform_sms", { to: "254722555202", message: "654321 is your sign-in code" }));
    expect(await sms.waitFor((m) => m.to === "+254722555202")).toMatchObject({ username: CONSOLE_AT.username, from: "MNETIFI", message: "654321 is your sign-in code" });

    // The Test button: a number typed by the admin, through the account in use.
    const badPhone = await refusal(c.platformSettings.testSms({ phone: "12" }));
    expect(badPhone).toMatchObject({ fieldErrors: { phone: [expect.any(String)] } });
    expect(await c.platformSettings.testSms({ phone: "0722 555 203" })).toEqual({ ok: true, source: "console" });
    expect(await sms.waitFor((m) => m.to === "+254722555203")).toMatchObject({ username: CONSOLE_AT.username, message: expect.stringContaining("test message") });
    // A refusal is reported, not thrown.
    sms.script("+254722555204", "user_in_blacklist");
    expect(await c.platformSettings.testSms({ phone: "0722555204" })).toMatchObject({ ok: false, reason: expect.stringContaining("refused") });

    const events = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(like(auditEvents.action, "platform.senders%")));
    expect(events.find((e) => (e.details as { sender?: string })?.sender === "sms" && e.action === "platform.senders_changed")).toMatchObject({ details: { changed: ["username", "apiKey", "senderId"] } });
    for (const secret of SECRETS) expect(JSON.stringify(events)).not.toContain(secret);
  });
});

describe("the email From", () => {
  it("validates the address and name, and every email the platform sends comes from it", async () => {
    const c = await consoleAs(root.token);
    const bad = await refusal(c.platformSettings.saveEmail({ fromName: 'Evil" <x@y>', fromAddress: "not-an-address" }));
    expect(bad).toMatchObject({ fieldErrors: { fromName: [expect.any(String)], fromAddress: [expect.stringContaining("email address")] } });

    await withPlatform(t.db, null, (tx) => enqueueJob(tx, "send_email", { to: "owner-before@senders.test", subject: "Before", text: "x", html: "<p>x</p>" }));
    expect((await smtp.waitFor((m) => m.to.includes("owner-before@senders.test"))).from).toContain("no-reply@mnetifi.test");

    await c.platformSettings.saveEmail({ fromName: "mnetifi Billing", fromAddress: "Billing@Mnetifi.test" });
    expect((await c.platformSettings.get()).senders.email).toMatchObject({ inUse: "console", saved: { fromName: "mnetifi Billing", fromAddress: "billing@mnetifi.test" } });
    await withPlatform(t.db, null, (tx) => enqueueJob(tx, "send_email", { to: "owner-after@senders.test", subject: "After", text: "x", html: "<p>x</p>" }));
    const mail = await smtp.waitFor((m) => m.to.includes("owner-after@senders.test"));
    expect(mail.from).toContain("billing@mnetifi.test");
    expect(mail.from).toContain("mnetifi Billing");

    await c.platformSettings.clearSender({ sender: "email" });
    expect((await platformSenderNow(t.db, mailFromInUse)).source).toBe("environment");
  });
});

describe("who may see and change them", () => {
  it("only the super admin: other console roles get 403, ISP users 404, and nothing changes", async () => {
    const before = await row();
    for (const role of ["support", "billing", "read_only"] as const) {
      const u = await createPlatformUser(t.db, role, `senders-${role}`);
      const c = await consoleAs(u.token);
      for (const call of [
        () => c.platformSettings.get(),
        () => c.platformSettings.saveMpesa({ environment: "sandbox", accountType: "paybill", shortcode: "600000", consumerKey: "a", consumerSecret: "b", passkey: "c" }),
        () => c.platformSettings.saveSms({ username: "x", apiKey: "y" }),
        () => c.platformSettings.saveEmail({ fromName: "x", fromAddress: "x@x.test" }),
        () => c.platformSettings.clearSender({ sender: "sms" }),
        () => c.platformSettings.testMpesa(),
        () => c.platformSettings.testSms({ phone: "0722555301" }),
      ]) {
        expect((await refusal(call())).code, role).toBe("FORBIDDEN");
      }
    }
    const owner = await ispAs(isp);
    for (const call of [() => owner.platformSettings.get(), () => owner.platformSettings.saveSms({ username: "x", apiKey: "y" }), () => owner.platformSettings.testMpesa()]) {
      expect((await refusal(call())).code).toBe("NOT_FOUND");
    }
    expect(await row()).toEqual(before);
  });
});
