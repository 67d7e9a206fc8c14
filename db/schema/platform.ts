import { sql } from "drizzle-orm";
import { pgTable, uuid, text, timestamp, uniqueIndex, index } from "drizzle-orm/pg-core";
import { timestamps, sessionLifetime } from "./columns";

/** Super admin and sub-admins of the platform console. Global table, platform context only. */
export const platformUsers = pgTable(
  "platform_users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: text("username").notNull(),
    email: text("email").notNull(),
    fullName: text("full_name").notNull().default(""),
    role: text("role", { enum: ["super_admin", "support", "billing"] }).notNull(),
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
