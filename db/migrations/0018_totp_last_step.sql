ALTER TABLE "users" ADD COLUMN "totp_last_step" integer;--> statement-breakpoint
ALTER TABLE "platform_users" ADD COLUMN "totp_last_step" integer;