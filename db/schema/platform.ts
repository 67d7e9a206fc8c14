import { sql } from "drizzle-orm";
import { pgTable, uuid, text, timestamp, uniqueIndex, index, smallint, integer, check } from "drizzle-orm/pg-core";
import { timestamps, sessionLifetime } from "./columns";

/** Super admin and sub-admins of the platform console. Global table, platform context only. */
export const platformUsers = pgTable(
  "platform_users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: text("username").notNull(),
    email: text("email").notNull(),
    fullName: text("full_name").notNull().default(""),
    role: text("role", { enum: ["super_admin", "support", "billing", "read_only"] }).notNull(),
    passwordHash: text("password_hash").notNull(),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("platform_users_username_key").on(sql`lower(${t.username})`),
    uniqueIndex("platform_users_email_key").on(sql`lower(${t.email})`),
  ],
);

export const platformSessions = pgTable(
  "platform_sessions",
  {
    id: text("id").primaryKey(), // hex(sha256(token))
    userId: uuid("user_id")
      .notNull()
      .references(() => platformUsers.id, { onDelete: "cascade" }),
    ...sessionLifetime(),
  },
  (t) => [index("platform_sessions_user_idx").on(t.userId)],
);

/** Platform-wide settings edited by the super admin: one row (id = 1). */
export const platformSettings = pgTable(
  "platform_settings",
  {
    id: smallint("id").primaryKey().default(1),
    trialHours: integer("trial_hours").notNull().default(24),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("platform_settings_single_row", sql`${t.id} = 1`), check("platform_settings_trial_hours", sql`${t.trialHours} between 1 and 2160`)],
);
