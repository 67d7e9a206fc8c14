CREATE SEQUENCE "public"."billing_document_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1001 CACHE 1;--> statement-breakpoint
CREATE TABLE "billing_tiers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"registration_fee_cents" integer DEFAULT 0 NOT NULL,
	"monthly_cents" integer NOT NULL,
	"features" text[] DEFAULT '{}'::text[] NOT NULL,
	"max_technicians" integer,
	"single_service" boolean DEFAULT false NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_tiers_id_format" CHECK ("billing_tiers"."id" ~ '^[a-z][a-z0-9_-]{1,29}$'),
	CONSTRAINT "billing_tiers_money" CHECK ("billing_tiers"."registration_fee_cents" >= 0 and "billing_tiers"."monthly_cents" > 0 and "billing_tiers"."registration_fee_cents" % 100 = 0 and "billing_tiers"."monthly_cents" % 100 = 0),
	CONSTRAINT "billing_tiers_max_technicians" CHECK ("billing_tiers"."max_technicians" is null or "billing_tiers"."max_technicians" >= 0)
);
--> statement-breakpoint
CREATE TABLE "platform_mpesa_callbacks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"isp_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"remote_ip" text,
	"raw" text NOT NULL,
	"body" jsonb,
	"reference" text,
	"processed_at" timestamp with time zone,
	"outcome" text,
	"detail" text,
	"payment_id" uuid
);
--> statement-breakpoint
CREATE TABLE "billing_invoices" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"kind" text NOT NULL,
	"tier_id" text NOT NULL,
	"tier_name" text NOT NULL,
	"service" text,
	"registration_fee_cents" integer DEFAULT 0 NOT NULL,
	"monthly_cents" integer NOT NULL,
	"amount_cents" integer NOT NULL,
	"paid_cents" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"period_start" timestamp with time zone,
	"period_end" timestamp with time zone,
	"void_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_invoices_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "billing_invoices_money" CHECK ("billing_invoices"."amount_cents" > 0 and "billing_invoices"."paid_cents" >= 0 and "billing_invoices"."registration_fee_cents" >= 0 and "billing_invoices"."monthly_cents" > 0)
);
--> statement-breakpoint
CREATE TABLE "billing_payments" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"invoice_id" uuid NOT NULL,
	"method" text NOT NULL,
	"status" text NOT NULL,
	"amount_cents" integer NOT NULL,
	"paid_cents" integer,
	"phone" text,
	"checkout_request_id" text,
	"merchant_request_id" text,
	"mpesa_receipt" text,
	"reference" text,
	"receipt_number" text,
	"result_code" text,
	"result_desc" text,
	"failure_reason" text,
	"query_attempts" integer DEFAULT 0 NOT NULL,
	"paid_at" timestamp with time zone,
	"created_by" uuid,
	"recorded_by" uuid,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_payments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "billing_payments_money" CHECK ("billing_payments"."amount_cents" > 0 and ("billing_payments"."paid_cents" is null or "billing_payments"."paid_cents" >= 0))
);
--> statement-breakpoint
CREATE TABLE "billing_reminders" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"days_before" integer NOT NULL,
	"email" text,
	"phone" text,
	"sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "billing_reminders_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "tier_id" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "service" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "paid_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "registration_paid_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "reminder_days" integer[] DEFAULT '{3,1}'::integer[] NOT NULL;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "payment_instructions" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "billing_callback_secret" text DEFAULT encode(sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'hex') NOT NULL;--> statement-breakpoint
ALTER TABLE "billing_invoices" ADD CONSTRAINT "billing_invoices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_payments" ADD CONSTRAINT "billing_payments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_payments" ADD CONSTRAINT "billing_payments_tenant_id_invoice_id_billing_invoices_tenant_id_id_fk" FOREIGN KEY ("tenant_id","invoice_id") REFERENCES "public"."billing_invoices"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_reminders" ADD CONSTRAINT "billing_reminders_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "platform_mpesa_callbacks_reference_idx" ON "platform_mpesa_callbacks" USING btree ("isp_id","reference");--> statement-breakpoint
CREATE INDEX "platform_mpesa_callbacks_unprocessed_idx" ON "platform_mpesa_callbacks" USING btree ("received_at") WHERE "platform_mpesa_callbacks"."processed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_invoices_number_key" ON "billing_invoices" USING btree ("tenant_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_invoices_one_open" ON "billing_invoices" USING btree ("tenant_id") WHERE "billing_invoices"."status" = 'open';--> statement-breakpoint
CREATE INDEX "billing_invoices_issued_idx" ON "billing_invoices" USING btree ("tenant_id","issued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_payments_checkout_key" ON "billing_payments" USING btree ("tenant_id","checkout_request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_payments_receipt_key" ON "billing_payments" USING btree ("tenant_id","mpesa_receipt");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_payments_reference_key" ON "billing_payments" USING btree ("tenant_id","method","reference");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_payments_receipt_number_key" ON "billing_payments" USING btree ("tenant_id","receipt_number");--> statement-breakpoint
CREATE INDEX "billing_payments_invoice_idx" ON "billing_payments" USING btree ("tenant_id","invoice_id");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_reminders_once" ON "billing_reminders" USING btree ("tenant_id","due_at","days_before");--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_tier_id_billing_tiers_id_fk" FOREIGN KEY ("tier_id") REFERENCES "public"."billing_tiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD CONSTRAINT "platform_settings_reminder_days" CHECK (cardinality("platform_settings"."reminder_days") <= 5 and 0 < all("platform_settings"."reminder_days") and 60 >= all("platform_settings"."reminder_days"));