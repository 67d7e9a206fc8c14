CREATE TABLE "mpesa_callbacks" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"remote_ip" text,
	"content_type" text,
	"raw" text NOT NULL,
	"body" jsonb,
	"reference" text,
	"processed_at" timestamp with time zone,
	"outcome" text,
	"detail" text,
	"payment_id" uuid,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	CONSTRAINT "mpesa_callbacks_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "mpesa_exchanges" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"payment_id" uuid,
	"kind" text NOT NULL,
	"request" jsonb,
	"response" jsonb,
	"http_status" integer,
	"ms" integer,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mpesa_exchanges_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "mpesa_settings" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"environment" text DEFAULT 'sandbox' NOT NULL,
	"account_type" text NOT NULL,
	"shortcode" text NOT NULL,
	"till_number" text,
	"consumer_key_enc" text NOT NULL,
	"consumer_secret_enc" text NOT NULL,
	"passkey_enc" text NOT NULL,
	"initiator_name" text,
	"security_credential_enc" text,
	"callback_token" text NOT NULL,
	"last_test_at" timestamp with time zone,
	"last_test_result" text,
	"c2b_registered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mpesa_settings_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "mpesa_settings_till" CHECK ("mpesa_settings"."account_type" <> 'till' or "mpesa_settings"."till_number" is not null)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"method" text NOT NULL,
	"status" text NOT NULL,
	"purpose" text,
	"purpose_ref" text,
	"amount_cents" integer NOT NULL,
	"paid_amount_cents" integer,
	"phone" text,
	"msisdn" text,
	"payer_name" text,
	"account_reference" text,
	"checkout_request_id" text,
	"merchant_request_id" text,
	"mpesa_receipt" text,
	"result_code" text,
	"result_desc" text,
	"failure_reason" text,
	"query_attempts" integer DEFAULT 0 NOT NULL,
	"paid_at" timestamp with time zone,
	"applied_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "payments_amount_positive" CHECK ("payments"."amount_cents" >= 0)
);
--> statement-breakpoint
ALTER TABLE "mpesa_callbacks" ADD CONSTRAINT "mpesa_callbacks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpesa_callbacks" ADD CONSTRAINT "mpesa_callbacks_tenant_id_payment_id_payments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","payment_id") REFERENCES "public"."payments"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpesa_exchanges" ADD CONSTRAINT "mpesa_exchanges_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpesa_exchanges" ADD CONSTRAINT "mpesa_exchanges_tenant_id_payment_id_payments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","payment_id") REFERENCES "public"."payments"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpesa_settings" ADD CONSTRAINT "mpesa_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mpesa_callbacks_reference_idx" ON "mpesa_callbacks" USING btree ("tenant_id","reference");--> statement-breakpoint
CREATE INDEX "mpesa_callbacks_outcome_idx" ON "mpesa_callbacks" USING btree ("tenant_id","outcome","received_at");--> statement-breakpoint
CREATE INDEX "mpesa_exchanges_payment_idx" ON "mpesa_exchanges" USING btree ("tenant_id","payment_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "mpesa_settings_one_per_tenant" ON "mpesa_settings" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "mpesa_settings_callback_token_idx" ON "mpesa_settings" USING btree ("callback_token");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_checkout_key" ON "payments" USING btree ("tenant_id","checkout_request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_receipt_key" ON "payments" USING btree ("tenant_id","mpesa_receipt");--> statement-breakpoint
CREATE INDEX "payments_status_idx" ON "payments" USING btree ("tenant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "payments_phone_idx" ON "payments" USING btree ("tenant_id","phone");--> statement-breakpoint
CREATE INDEX "payments_purpose_idx" ON "payments" USING btree ("tenant_id","purpose","purpose_ref");