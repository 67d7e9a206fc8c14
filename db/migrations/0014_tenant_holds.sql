ALTER TABLE "tenants" ADD COLUMN "hold_reason" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "held_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "held_by" uuid;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "status_before_hold" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_hold" CHECK (("tenants"."status" in ('suspended', 'blocked')) = ("tenants"."held_at" is not null and "tenants"."hold_reason" is not null and "tenants"."status_before_hold" is not null));