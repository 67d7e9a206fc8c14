CREATE TABLE "platform_user_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "platform_users" ALTER COLUMN "password_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "platform_users" ADD COLUMN "password_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "platform_users" ADD COLUMN "invited_by" uuid;--> statement-breakpoint
ALTER TABLE "platform_users" ADD COLUMN "last_login_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "platform_user_tokens" ADD CONSTRAINT "platform_user_tokens_user_id_platform_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."platform_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "platform_user_tokens_hash_key" ON "platform_user_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "platform_user_tokens_user_idx" ON "platform_user_tokens" USING btree ("user_id","purpose");--> statement-breakpoint
ALTER TABLE "platform_users" ADD CONSTRAINT "platform_users_invited_by_platform_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."platform_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Last sign-in of the console users who already exist, from their audited sign-ins.
UPDATE "platform_users" u SET "last_login_at" = (
  SELECT max(e."occurred_at") FROM "audit"."events" e
   WHERE e."action" = 'auth.login' AND e."actor_kind" = 'platform_user' AND e."actor_id" = u."id" AND e."tenant_id" IS NULL
);