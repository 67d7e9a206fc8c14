import { auditEvents } from "../../db/schema";
import type { Tx } from "../../db/client";

export type AppEvent = {
  action: string; // e.g. auth.login, auth.login_failed, auth.logout, export.csv, impersonation.start
  tenantId?: string | null;
  actorKind: "user" | "platform_user" | "system" | "anonymous";
  actorId?: string | null;
  impersonatorId?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
};

/**
 * Records an application event in the audit trail, inside the caller's transaction (tenant or
 * platform context). Row changes are recorded by the database trigger, not here.
 */
export async function recordEvent(tx: Tx, event: AppEvent) {
  await tx.insert(auditEvents).values({
    tenantId: event.tenantId ?? null,
    actorKind: event.actorKind,
    actorId: event.actorId ?? null,
    impersonatorId: event.impersonatorId ?? null,
    action: event.action,
    details: event.details ?? null,
    ip: event.ip ?? null,
    userAgent: event.userAgent?.slice(0, 400) ?? null,
    requestId: event.requestId ?? null,
  });
}
