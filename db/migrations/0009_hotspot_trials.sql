CREATE TABLE "hotspot_trials" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"mac" text NOT NULL,
	"phone" text,
	"voucher_id" uuid NOT NULL,
	"router_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hotspot_trials_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "hotspot_trials_mac" CHECK ("hotspot_trials"."mac" ~ '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$')
);
--> statement-breakpoint
ALTER TABLE "hotspot_trials" ADD CONSTRAINT "hotspot_trials_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotspot_trials" ADD CONSTRAINT "hotspot_trials_tenant_id_voucher_id_vouchers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","voucher_id") REFERENCES "public"."vouchers"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "hotspot_trials_mac_key" ON "hotspot_trials" USING btree ("tenant_id","mac");--> statement-breakpoint
CREATE UNIQUE INDEX "hotspot_trials_phone_key" ON "hotspot_trials" USING btree ("tenant_id","phone") WHERE "hotspot_trials"."phone" is not null;