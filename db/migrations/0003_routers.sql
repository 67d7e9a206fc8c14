CREATE TABLE "routers" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"host" text NOT NULL,
	"api_port" integer DEFAULT 8728 NOT NULL,
	"tls" boolean DEFAULT false NOT NULL,
	"username" text NOT NULL,
	"password_enc" text NOT NULL,
	"zone_id" uuid,
	"location" text DEFAULT '' NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'unverified' NOT NULL,
	"identity" text,
	"version" text,
	"board" text,
	"last_error" text,
	"last_checked_at" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "routers_port" CHECK ("routers"."api_port" between 1 and 65535)
);
--> statement-breakpoint
ALTER TABLE "routers" ADD CONSTRAINT "routers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routers" ADD CONSTRAINT "routers_tenant_id_zone_id_zones_tenant_id_id_fk" FOREIGN KEY ("tenant_id","zone_id") REFERENCES "public"."zones"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "routers_tenant_name_key" ON "routers" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE INDEX "routers_zone_idx" ON "routers" USING btree ("tenant_id","zone_id");