import type { Task } from "graphile-worker";
import type { Db } from "../../db/client";
import { tenantTask } from "../tenant-task";
import type { SecretBox } from "../../server/services/secrets";
import { expireVoucher, warnVoucher } from "../../server/services/hotspot/access";
import { sendVoucherIssued } from "../../server/services/hotspot/portal";

/** At the exact expiry time: the voucher's user leaves every router (unless it was extended). */
export const voucherExpire = (db: Db, secrets: SecretBox): Task =>
  tenantTask<{ voucherId: string }>(db, async ({ tx, tenantId, payload }) => {
    await expireVoucher(tx, tenantId, secrets, payload.voucherId);
  });

/** At 90% of the time: the buyer is told (SMS/WhatsApp as the ISP chose). */
export const voucherWarn = (db: Db): Task =>
  tenantTask<{ voucherId: string }>(db, async ({ tx, tenantId, payload }) => {
    await warnVoucher(tx, tenantId, payload.voucherId);
  });

/** Right after a sale: the buyer gets the code, plan and times (SMS/WhatsApp as the ISP chose). */
export const voucherIssued = (db: Db): Task =>
  tenantTask<{ voucherId: string }>(db, async ({ tx, tenantId, payload }) => {
    await sendVoucherIssued(tx, tenantId, payload.voucherId);
  });
