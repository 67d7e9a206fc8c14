CREATE TABLE "hotspot_plans" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"price_cents" integer NOT NULL,
	"duration_value" integer NOT NULL,
	"duration_unit" text NOT NULL,
	"download_kbps" integer,
	"upload_kbps" integer,
	"burst_download_kbps" integer,
	"burst_upload_kbps" integer,
	"burst_threshold_download_kbps" integer,
	"burst_threshold_upload_kbps" integer,
	"burst_time_seconds" integer,
	"data_cap_mb" bigint,
	"devices" integer DEFAULT 1 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"hidden" boolean DEFAULT false NOT NULL,
	"display_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hotspot_plans_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "hotspot_plans_price" CHECK ("hotspot_plans"."price_cents" >= 0),
	CONSTRAINT "hotspot_plans_duration" CHECK ("hotspot_plans"."duration_value" > 0),
	CONSTRAINT "hotspot_plans_devices" CHECK ("hotspot_plans"."devices" between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "hotspot_settings" (
	"tenant_id" uuid NOT NULL,
	"expiry_mode" text DEFAULT 'first_use' NOT NULL,
	"lapse_days" integer DEFAULT 30 NOT NULL,
	"idle_timeout_minutes" integer DEFAULT 15 NOT NULL,
	"warn_at_90" boolean DEFAULT true NOT NULL,
	"code_length" integer DEFAULT 6 NOT NULL,
	"free_trial_enabled" boolean DEFAULT false NOT NULL,
	"free_trial_minutes" integer DEFAULT 10 NOT NULL,
	"portal_tagline" text DEFAULT '' NOT NULL,
	"portal_terms" text DEFAULT '' NOT NULL,
	"color_background" text DEFAULT '#f8fafc' NOT NULL,
	"color_text" text DEFAULT '#0f172a' NOT NULL,
	"color_button" text DEFAULT '#059669' NOT NULL,
	"logo_data_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hotspot_settings_tenant_id_pk" PRIMARY KEY("tenant_id"),
	CONSTRAINT "hotspot_settings_lapse" CHECK ("hotspot_settings"."lapse_days" >= 1),
	CONSTRAINT "hotspot_settings_code_length" CHECK ("hotspot_settings"."code_length" between 6 and 8),
	CONSTRAINT "hotspot_settings_idle" CHECK ("hotspot_settings"."idle_timeout_minutes" between 1 and 1440)
);
--> statement-breakpoint
CREATE TABLE "voucher_batches" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"plan_id" uuid NOT NULL,
	"count" integer NOT NULL,
	"code_length" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "voucher_batches_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "voucher_devices" (
	"tenant_id" uuid NOT NULL,
	"voucher_id" uuid NOT NULL,
	"mac" text NOT NULL,
	"router_id" uuid,
	"last_ip" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "voucher_devices_tenant_id_voucher_id_mac_pk" PRIMARY KEY("tenant_id","voucher_id","mac"),
	CONSTRAINT "voucher_devices_mac" CHECK ("voucher_devices"."mac" ~ '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$')
);
--> statement-breakpoint
CREATE TABLE "vouchers" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"plan_id" uuid NOT NULL,
	"batch_id" uuid,
	"payment_id" uuid,
	"customer_id" uuid,
	"phone" text,
	"status" text DEFAULT 'unused' NOT NULL,
	"duration_seconds" integer NOT NULL,
	"devices_allowed" integer NOT NULL,
	"purchased_at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"lapses_at" timestamp with time zone NOT NULL,
	"warned_at" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"notes" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vouchers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "vouchers_code_format" CHECK ("vouchers"."code" ~ '^[A-Za-z0-9]{6,8}$')
);
--> statement-breakpoint
ALTER TABLE "hotspot_plans" ADD CONSTRAINT "hotspot_plans_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotspot_settings" ADD CONSTRAINT "hotspot_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_batches" ADD CONSTRAINT "voucher_batches_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_batches" ADD CONSTRAINT "voucher_batches_tenant_id_plan_id_hotspot_plans_tenant_id_id_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."hotspot_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_devices" ADD CONSTRAINT "voucher_devices_tenant_id_voucher_id_vouchers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","voucher_id") REFERENCES "public"."vouchers"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_tenant_id_plan_id_hotspot_plans_tenant_id_id_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."hotspot_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "hotspot_plans_name_key" ON "hotspot_plans" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "vouchers_code_key" ON "vouchers" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE INDEX "vouchers_status_idx" ON "vouchers" USING btree ("tenant_id","status","expires_at");--> statement-breakpoint
CREATE INDEX "vouchers_phone_idx" ON "vouchers" USING btree ("tenant_id","phone");--> statement-breakpoint
CREATE INDEX "vouchers_batch_idx" ON "vouchers" USING btree ("tenant_id","batch_id");