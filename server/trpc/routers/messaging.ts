import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { CHANNELS, NOTIFICATION_EVENTS, DELIVERY_CHOICES } from "../../../db/schema";
import { createTRPCRouter, ispProcedure, fail } from "../init";
import { requestMeta } from "../../context";
import { recordEvent } from "../../services/audit";
import { normalizeKenyanPhone } from "../../services/phones";
import { providersFor, countSmsSegments } from "../../integrations/messaging";
import { ensureMessagingSettings, providerView, saveProvider, removeProvider, saveBranding, brandingVars, webhookUrl, activeProvider } from "../../services/messaging/settings";
import { EVENTS, PLACEHOLDERS, render, sampleVars } from "../../services/messaging/templates";
import { listNotificationSettings, saveNotificationSetting, templateFor, saveTemplate, resetTemplate } from "../../services/messaging/notify";
import { queueMessage, retryMessage } from "../../services/messaging/outbox";
import { historyFilter, messageHistory, getMessage, listTickets, resolveTicket, getTicket, openTicketCount } from "../../services/messaging/history";
import { broadcastInput, createBroadcast, cancelBroadcast, broadcastProgress, listBroadcasts, listCustomers, customerCounts, resolveSegment, segmentSchema, canBroadcastSms, canBroadcast } from "../../services/messaging/broadcasts";
import { broadcasts } from "../../../db/schema";
import { and, eq } from "drizzle-orm";

const channel = z.enum(CHANNELS, { error: "Choose SMS or WhatsApp." });
const byId = z.object({ id: z.uuid("Not a valid id.") });

/**
 * The ISP's messaging: SMS and WhatsApp providers (each its own panel), templates and automatic
 * notifications, delivery history, broadcasts, and tickets for what could not be delivered.
 */
export const messagingRouter = createTRPCRouter({
  /** One channel's panel: provider (secrets masked), the webhook URL to give the provider, the choices. */
  panel: ispProcedure("messaging.view")
    .input(z.object({ channel }))
    .query(async ({ ctx, input }) => {
      const settings = await ensureMessagingSettings(ctx.tx, ctx.tenant.id);
      return {
        provider: await providerView(ctx.tx, ctx.tenant.id, input.channel, ctx.secrets),
        choices: providersFor(input.channel).map((m) => ({ kind: m.kind, label: m.label, description: m.description, fields: m.fields })),
        webhookUrl: webhookUrl(ctx.env.PUBLIC_BASE_URL, settings.webhookToken, input.channel),
      };
    }),

  saveProvider: ispProcedure("messaging.manage")
    .input(z.object({ channel, kind: z.string().max(40), values: z.record(z.string(), z.string().max(4000)) }))
    .mutation(async ({ ctx, input }) => {
      const r = await saveProvider(ctx.tx, ctx.tenant.id, input.channel, { kind: input.kind, values: input.values }, ctx.secrets);
      if (!r.ok) fail({ status: 400, fieldErrors: r.fieldErrors });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "messaging.provider_saved", details: { channel: input.channel, kind: input.kind }, ...requestMeta(ctx) });
      await ctx.integrations.onMessagingProviderSaved?.(ctx.tenant.id, input.channel, await activeProvider(ctx.tx, ctx.tenant.id, input.channel, ctx.secrets), webhookUrl(ctx.env.PUBLIC_BASE_URL, (await ensureMessagingSettings(ctx.tx, ctx.tenant.id)).webhookToken, input.channel));
      return { ok: true as const };
    }),

  removeProvider: ispProcedure("messaging.manage")
    .input(z.object({ channel }))
    .mutation(async ({ ctx, input }) => {
      if (!(await removeProvider(ctx.tx, ctx.tenant.id, input.channel))) throw new TRPCError({ code: "NOT_FOUND", message: "No provider is set up for this channel." });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "messaging.provider_removed", details: { channel: input.channel }, ...requestMeta(ctx) });
      return { ok: true as const };
    }),

  /** A test message through the real outbox (job, provider, delivery report): its status shows live. */
  testSend: ispProcedure("messaging.send")
    .input(z.object({ channel, phone: z.string().max(20), text: z.string().max(918) }))
    .mutation(async ({ ctx, input }) => {
      const phone = normalizeKenyanPhone(input.phone);
      const fieldErrors: Record<string, string[]> = {};
      if (!phone) fieldErrors.phone = ["Enter a Kenyan mobile number, e.g. 0712 345 678."];
      if (!input.text.trim()) fieldErrors.text = ["Write a short message."];
      if (Object.keys(fieldErrors).length) fail({ status: 400, fieldErrors });
      if (!(await activeProvider(ctx.tx, ctx.tenant.id, input.channel, ctx.secrets))) fail({ status: 409, error: "Save a provider first." });
      const q = await queueMessage(ctx.tx, ctx.tenant.id, { channel: input.channel, phone: phone!, body: input.text.trim(), event: "test" });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "messaging.test_sent", details: { channel: input.channel, phone }, ...requestMeta(ctx) });
      return { messageId: q.id };
    }),

  message: ispProcedure("messaging.view")
    .input(byId)
    .query(async ({ ctx, input }) => {
      const m = await getMessage(ctx.tx, ctx.tenant.id, input.id);
      if (!m) throw new TRPCError({ code: "NOT_FOUND", message: "That message does not exist." });
      return m;
    }),

  history: ispProcedure("messaging.view")
    .input(historyFilter)
    .query(({ ctx, input }) => messageHistory(ctx.tx, ctx.tenant.id, input)),

  /** Records an export of the history (the download itself is a resource route). */
  exported: ispProcedure("messaging.view")
    .input(z.object({ channel, format: z.enum(["csv", "xlsx"]), rows: z.number().int().min(0) }))
    .mutation(async ({ ctx, input }) => {
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: `export.${input.format}`, details: { what: `messages-${input.channel}`, rows: input.rows }, ...requestMeta(ctx) });
      return { ok: true as const };
    }),

  /** Every event's wording on a channel, with a preview filled with sample data and its SMS length. */
  templates: ispProcedure("messaging.view")
    .input(z.object({ channel }))
    .query(async ({ ctx, input }) => {
      const brand = await brandingVars(ctx.tx, ctx.tenant.id);
      const sample = sampleVars(brand);
      const out = [];
      for (const event of NOTIFICATION_EVENTS) {
        const t = await templateFor(ctx.tx, ctx.tenant.id, event, input.channel);
        const preview = render(t.body, sample);
        out.push({ event, label: EVENTS[event].label, description: EVENTS[event].description, ...t, defaultBody: EVENTS[event][input.channel], preview, length: countSmsSegments(preview) });
      }
      return { templates: out, placeholders: Object.entries(PLACEHOLDERS).map(([key, p]) => ({ key, label: p.label, sample: sample[key as keyof typeof sample] ?? p.sample })) };
    }),

  saveTemplate: ispProcedure("messaging.manage")
    .input(z.object({ channel, event: z.enum(NOTIFICATION_EVENTS), body: z.string().max(4000), waTemplateName: z.string().max(512).optional(), waLanguage: z.string().max(20).optional() }))
    .mutation(async ({ ctx, input }) => {
      const r = await saveTemplate(ctx.tx, ctx.tenant.id, input.event, input.channel, input);
      if (!r.ok) fail({ status: 400, fieldErrors: r.fieldErrors });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "messaging.template_saved", details: { channel: input.channel, event: input.event }, ...requestMeta(ctx) });
      return { ok: true as const };
    }),

  resetTemplate: ispProcedure("messaging.manage")
    .input(z.object({ channel, event: z.enum(NOTIFICATION_EVENTS) }))
    .mutation(async ({ ctx, input }) => {
      await resetTemplate(ctx.tx, ctx.tenant.id, input.event, input.channel);
      return { ok: true as const };
    }),

  /** Branding and, per event, off / SMS / WhatsApp / both. */
  notifications: ispProcedure("messaging.view").query(async ({ ctx }) => {
    const s = await ensureMessagingSettings(ctx.tx, ctx.tenant.id);
    return {
      branding: { contactPhone: s.contactPhone, tagline: s.tagline, signOff: s.signOff, business: ctx.tenant.businessName },
      events: await listNotificationSettings(ctx.tx, ctx.tenant.id),
      providers: { sms: !!(await activeProvider(ctx.tx, ctx.tenant.id, "sms", ctx.secrets)), whatsapp: !!(await activeProvider(ctx.tx, ctx.tenant.id, "whatsapp", ctx.secrets)) },
    };
  }),

  saveNotifications: ispProcedure("messaging.manage")
    .input(
      z.object({
        contactPhone: z.string().trim().max(30, "Keep it short, e.g. 0712 345 678."),
        tagline: z.string().trim().max(80, "Keep the tagline under 80 characters."),
        signOff: z.string().trim().max(40, "Keep the sign-off under 40 characters."),
        events: z.array(z.object({ event: z.enum(NOTIFICATION_EVENTS), delivery: z.enum(DELIVERY_CHOICES), reminderDays: z.array(z.coerce.number().int().min(1).max(60)).max(5).optional() })),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await saveBranding(ctx.tx, ctx.tenant.id, { contactPhone: input.contactPhone, tagline: input.tagline, signOff: input.signOff });
      for (const e of input.events) {
        const days = e.event === "expiry_reminder" && e.reminderDays?.length ? [...new Set(e.reminderDays)].sort((a, b) => b - a) : undefined;
        await saveNotificationSetting(ctx.tx, ctx.tenant.id, e.event, e.delivery, days ? { days } : {});
      }
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "messaging.notifications_saved", ...requestMeta(ctx) });
      return { ok: true as const };
    }),

  broadcasts: ispProcedure("messaging.view").query(async ({ ctx }) => {
    const list = await listBroadcasts(ctx.tx, ctx.tenant.id);
    const withProgress = [];
    for (const b of list) withProgress.push({ ...b, progress: await broadcastProgress(ctx.tx, ctx.tenant.id, b.id) });
    return { broadcasts: withProgress, customers: await customerCounts(ctx.tx, ctx.tenant.id), smsAllowed: await canBroadcastSms(ctx.tx, ctx.tenant.id), whatsappAllowed: await canBroadcast(ctx.tx, ctx.tenant.id, "whatsapp") };
  }),

  broadcast: ispProcedure("messaging.view")
    .input(byId)
    .query(async ({ ctx, input }) => {
      const [b] = await ctx.tx.select().from(broadcasts).where(and(eq(broadcasts.tenantId, ctx.tenant.id), eq(broadcasts.id, input.id)));
      if (!b) throw new TRPCError({ code: "NOT_FOUND", message: "That broadcast does not exist." });
      return { broadcast: b, progress: await broadcastProgress(ctx.tx, ctx.tenant.id, b.id) };
    }),

  /** How many a segment reaches now (and how many of them opted out). */
  segmentSize: ispProcedure("messaging.view")
    .input(z.object({ segment: segmentSchema }))
    .query(async ({ ctx, input }) => {
      const r = await resolveSegment(ctx.tx, ctx.tenant.id, input.segment);
      return { recipients: r.length };
    }),

  customers: ispProcedure("messaging.view")
    .input(z.object({ search: z.string().max(60).default("") }))
    .query(({ ctx, input }) => listCustomers(ctx.tx, ctx.tenant.id, input.search)),

  createBroadcast: ispProcedure("messaging.send")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const parsed = broadcastInput.safeParse(input);
      if (!parsed.success) fail({ status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> });
      const r = await createBroadcast(ctx.tx, ctx.tenant.id, ctx.viewer.user.id, parsed.data, ctx.secrets);
      if (!r.ok) fail({ status: 400, fieldErrors: r.fieldErrors, error: r.formError });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "messaging.broadcast_created", details: { broadcastId: r.id, channels: parsed.data.channels, segment: parsed.data.segment }, ...requestMeta(ctx) });
      return { id: r.id };
    }),

  cancelBroadcast: ispProcedure("messaging.send")
    .input(byId)
    .mutation(async ({ ctx, input }) => {
      const r = await cancelBroadcast(ctx.tx, ctx.tenant.id, input.id);
      if (!r) throw new TRPCError({ code: "NOT_FOUND", message: "That broadcast does not exist." });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "messaging.broadcast_cancelled", details: { broadcastId: input.id }, ...requestMeta(ctx) });
      return { status: r };
    }),

  tickets: ispProcedure("tickets.manage")
    .input(z.object({ status: z.enum(["open", "resolved", "all"]).default("open") }))
    .query(async ({ ctx, input }) => ({ tickets: await listTickets(ctx.tx, ctx.tenant.id, input.status), open: await openTicketCount(ctx.tx, ctx.tenant.id) })),

  /** Sends the ticket's message again; the ticket resolves itself when it goes out. */
  retryTicket: ispProcedure("tickets.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => {
      const t = await getTicket(ctx.tx, ctx.tenant.id, input.id);
      if (!t) throw new TRPCError({ code: "NOT_FOUND", message: "That ticket does not exist." });
      if (!t.messageId || !(await retryMessage(ctx.tx, ctx.tenant.id, t.messageId))) fail({ status: 409, error: "There is nothing to send again for this ticket." });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "ticket.retried", details: { ticketId: t.id }, ...requestMeta(ctx) });
      return { ok: true as const };
    }),

  resolveTicket: ispProcedure("tickets.manage")
    .input(byId.extend({ resolution: z.string().trim().max(500).default("") }))
    .mutation(async ({ ctx, input }) => {
      const t = await resolveTicket(ctx.tx, ctx.tenant.id, input.id, ctx.viewer.user.id, input.resolution);
      if (!t) throw new TRPCError({ code: "NOT_FOUND", message: "That ticket does not exist or is already resolved." });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "ticket.resolved", details: { ticketId: t.id }, ...requestMeta(ctx) });
      return { ok: true as const };
    }),
});
