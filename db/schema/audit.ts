import { pgSchema, bigserial, uuid, text, timestamp, jsonb, index } from "drizzle-orm/pg-core";

export const auditSchema = pgSchema("audit");

/**
 * Append-only audit trail. Row changes are written by the audit.log_row_change()
 * trigger; app events (login, export, impersonation...) by server/services/audit.ts.
 * tenant_id is null for platform events. The app role may INSERT and SELECT only.
 */
export const auditEvents = auditSchema.table(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: uuid("tenant_id"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorKind: text("actor_kind").notNull(), // user | platform_user | system | anonymous
    actorId: uuid("actor_id"),
    impersonatorId: uuid("impersonator_id"),
    action: text("action").notNull(), // INSERT/UPDATE/DELETE or an event name such as auth.login
    tableName: text("table_name"),
    rowId: text("row_id"),
    changes: jsonb("changes"),
    details: jsonb("details"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
  },
  (t) => [
    index("audit_events_tenant_time_idx").on(t.tenantId, t.occurredAt),
    index("audit_events_row_idx").on(t.tenantId, t.tableName, t.rowId),
    index("audit_events_actor_idx").on(t.tenantId, t.actorId, t.occurredAt),
  ],
);
