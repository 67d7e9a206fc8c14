ALTER TABLE "customers" ADD COLUMN "last_mac" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "last_router_id" uuid;