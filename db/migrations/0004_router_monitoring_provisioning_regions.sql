CREATE TABLE "areas" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"region_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "areas_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "regions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "router_items" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"router_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"spec" jsonb NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"ref" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "router_items_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "router_operations" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"router_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"source" text DEFAULT 'app' NOT NULL,
	"ref" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"result" text,
	"not_after" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "router_operations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "router_samples" (
	"tenant_id" uuid NOT NULL,
	"router_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"reachable" boolean NOT NULL,
	"latency_ms" integer,
	"uptime_seconds" bigint,
	"cpu_load" integer,
	"free_memory" bigint,
	"total_memory" bigint,
	"hotspot_active" integer,
	"ppp_active" integer,
	"error" text,
	CONSTRAINT "router_samples_tenant_id_router_id_at_pk" PRIMARY KEY("tenant_id","router_id","at")
);
--> statement-breakpoint
CREATE TABLE "router_status_changes" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"router_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	CONSTRAINT "router_status_changes_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "zones" ADD COLUMN "area_id" uuid;--> statement-breakpoint
ALTER TABLE "routers" ADD COLUMN "status_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "routers" ADD COLUMN "failed_polls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "routers" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "areas" ADD CONSTRAINT "areas_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "areas" ADD CONSTRAINT "areas_tenant_id_region_id_regions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","region_id") REFERENCES "public"."regions"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "regions" ADD CONSTRAINT "regions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "router_items" ADD CONSTRAINT "router_items_tenant_id_router_id_routers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","router_id") REFERENCES "public"."routers"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "router_operations" ADD CONSTRAINT "router_operations_tenant_id_router_id_routers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","router_id") REFERENCES "public"."routers"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "router_samples" ADD CONSTRAINT "router_samples_tenant_id_router_id_routers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","router_id") REFERENCES "public"."routers"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "router_status_changes" ADD CONSTRAINT "router_status_changes_tenant_id_router_id_routers_tenant_id_id_fk" FOREIGN KEY ("tenant_id","router_id") REFERENCES "public"."routers"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "areas_tenant_region_name_key" ON "areas" USING btree ("tenant_id","region_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "regions_tenant_name_key" ON "regions" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "router_items_name_key" ON "router_items" USING btree ("tenant_id","router_id","kind","name");--> statement-breakpoint
CREATE INDEX "router_operations_pending_idx" ON "router_operations" USING btree ("tenant_id","router_id","seq") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "router_operations_router_idx" ON "router_operations" USING btree ("tenant_id","router_id","created_at");--> statement-breakpoint
CREATE INDEX "router_status_changes_router_idx" ON "router_status_changes" USING btree ("tenant_id","router_id","at");--> statement-breakpoint
ALTER TABLE "zones" ADD CONSTRAINT "zones_tenant_id_area_id_areas_tenant_id_id_fk" FOREIGN KEY ("tenant_id","area_id") REFERENCES "public"."areas"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "zones_area_idx" ON "zones" USING btree ("tenant_id","area_id");