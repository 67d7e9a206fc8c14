CREATE TABLE "hotspot_purchases" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"phone" text NOT NULL,
	"mac" text,
	"ip" text,
	"router_id" uuid,
	"link_login_only" text,
	"payment_id" uuid,
	"voucher_id" uuid,
	"status" text DEFAULT 'pending' NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hotspot_purchases_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "hotspot_purchases" ADD CONSTRAINT "hotspot_purchases_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotspot_purchases" ADD CONSTRAINT "hotspot_purchases_tenant_id_plan_id_hotspot_plans_tenant_id_id_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."hotspot_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hotspot_purchases_payment_idx" ON "hotspot_purchases" USING btree ("tenant_id","payment_id");