import { z } from "zod";
import { parseAllowedAddresses } from "./services/addresses";

/**
 * Environment, validated once at start-up: a bad value stops the process with a clear list of
 * what is wrong instead of failing later in some request.
 */
const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** Where `react-router build` wrote the production build (react-router.config.ts reads it too). */
    BUILD_DIR: z.string().min(1).default("build"),
    /** Host (and port) the product is served on; ISPs live at {slug}.APP_DOMAIN. */
    APP_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?$/, "a host name with an optional port, e.g. mnetifi.co.ke or localhost:3000")
      .optional(),
    /** Connection for web and worker, as the mnetifi_app role. Unset = embedded PostgreSQL. */
    DATABASE_URL: z.string().url().optional(),
    /** Connection as the mnetifi_owner role, used only to run migrations. */
    DATABASE_OWNER_URL: z.string().url().optional(),
    /** Connection as the mnetifi_worker role, for the job queue (needed wherever a worker runs). */
    WORKER_DATABASE_URL: z.string().url().optional(),
    /**
     * Start the local simulators (SMTP inbox, SMS provider) in-process and send through them.
     * Default: on outside production. Never on for a real deployment.
     */
    SIMULATORS: z.enum(["true", "false"]).optional(),
    SMTP_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
    SMTP_SIM_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(2580),
    SMS_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(2590),
    DARAJA_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(2600),
    /** ISPs' messaging providers, simulated: Advanta-compatible SMS, WhatsApp Cloud API, UltraMsg. */
    ADVANTA_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(2591),
    SMS_GATEWAY_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(2592),
    WHATSAPP_CLOUD_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(2620),
    ULTRAMSG_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(2621),
    /** The demo's two simulated MikroTik routers (RouterOS API). */
    ROUTEROS_SIM_PORTS: z.string().regex(/^\d+,\d+$/, "two ports, e.g. 18728,18729").default("18728,18729"),
    /** Their HTTP control APIs (make a device log in, take a router offline…), see docs/operations.md. */
    ROUTEROS_SIM_CONTROL_PORTS: z.string().regex(/^\d+,\d+$/, "two ports, e.g. 19728,19729").default("19728,19729"),
    /**
     * Where Daraja can reach this server's callbacks (https in production). Default: the public
     * site's address; locally http://127.0.0.1:PORT so the simulators need no DNS for *.localhost.
     */
    PUBLIC_BASE_URL: z.string().url().optional(),
    /** How often each verified router is polled by monitoring (seconds). */
    ROUTER_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /**
     * The address(es) mnetifi's workers reach routers from (comma-separated IPs/CIDRs). The
     * onboarding script restricts the router's API user and service to them; empty = unrestricted.
     */
    ROUTER_API_ALLOWED_ADDRESS: z
      .string()
      .default("")
      .refine((v) => {
        try {
          parseAllowedAddresses(v);
          return true;
        } catch {
          return false;
        }
      }, "comma-separated IP addresses or networks, e.g. 203.0.113.10,10.8.0.0/16"),
    /** Outgoing mail (production): smtp://user:pass@host:587 or smtps://... */
    SMTP_URL: z.string().url().optional(),
    MAIL_FROM: z.string().default("mnetifi <no-reply@mnetifi.local>"),
    /** The platform's own SMS sender (2FA codes, reminders): Africa's Talking. */
    PLATFORM_SMS_BASE_URL: z.string().url().default("https://api.africastalking.com"),
    PLATFORM_SMS_API_KEY: z.string().optional(),
    PLATFORM_SMS_USERNAME: z.string().optional(),
    PLATFORM_SMS_SENDER_ID: z.string().optional(),
    /**
     * The platform's own Daraja account, which ISPs pay their subscription into by STK push.
     * With SIMULATORS on and these unset, the Daraja simulator's platform paybill is used.
     */
    PLATFORM_MPESA_ENVIRONMENT: z.enum(["sandbox", "production"]).default("production"),
    PLATFORM_MPESA_ACCOUNT_TYPE: z.enum(["paybill", "till"]).default("paybill"),
    PLATFORM_MPESA_SHORTCODE: z.string().regex(/^\d{5,7}$/, "a paybill or store number, 5–7 digits").optional(),
    PLATFORM_MPESA_TILL_NUMBER: z.string().regex(/^\d{5,7}$/, "a till number, 5–7 digits").optional(),
    PLATFORM_MPESA_CONSUMER_KEY: z.string().min(1).optional(),
    PLATFORM_MPESA_CONSUMER_SECRET: z.string().min(1).optional(),
    PLATFORM_MPESA_PASSKEY: z.string().min(1).optional(),
    /** Where the embedded PostgreSQL keeps its files. */
    DATA_DIR: z.string().default(".data"),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    /** 32-byte key (base64) for AES-256-GCM encryption of secrets at rest. */
    ENCRYPTION_KEY: z
      .string()
      .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)")
      .optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Run the graphile-worker inside the web process (default) or not (npm run worker elsewhere). */
    WORKER_IN_PROCESS: z.enum(["true", "false"]).default("true"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production") {
      if (!env.ENCRYPTION_KEY) ctx.addIssue({ code: "custom", path: ["ENCRYPTION_KEY"], message: "is required in production" });
      if (!env.APP_DOMAIN) ctx.addIssue({ code: "custom", path: ["APP_DOMAIN"], message: "is required in production" });
      if (env.SIMULATORS !== "true" && !env.SMTP_URL) ctx.addIssue({ code: "custom", path: ["SMTP_URL"], message: "is required in production (or SIMULATORS=true for a demo)" });
    }
    const platformMpesa = ["PLATFORM_MPESA_SHORTCODE", "PLATFORM_MPESA_CONSUMER_KEY", "PLATFORM_MPESA_CONSUMER_SECRET", "PLATFORM_MPESA_PASSKEY"] as const;
    const given = platformMpesa.filter((k) => env[k]);
    if (given.length && given.length < platformMpesa.length) {
      for (const k of platformMpesa) if (!env[k]) ctx.addIssue({ code: "custom", path: [k], message: "is needed with the other PLATFORM_MPESA_* settings" });
    }
    if (env.PLATFORM_MPESA_ACCOUNT_TYPE === "till" && given.length && !env.PLATFORM_MPESA_TILL_NUMBER) ctx.addIssue({ code: "custom", path: ["PLATFORM_MPESA_TILL_NUMBER"], message: "is required for a till" });
  });

export type Env = Omit<z.infer<typeof schema>, "SIMULATORS" | "PUBLIC_BASE_URL"> & { APP_DOMAIN: string; SIMULATORS: boolean; PUBLIC_BASE_URL: string };

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const env = result.data;
  const appDomain = env.APP_DOMAIN ?? `localhost:${env.PORT}`;
  const local = /^([a-z0-9-]+\.)?localhost(:\d+)?$/.test(appDomain);
  return {
    ...env,
    APP_DOMAIN: appDomain,
    PUBLIC_BASE_URL: env.PUBLIC_BASE_URL ?? (local ? `http://127.0.0.1:${env.PORT}` : `https://${appDomain}`),
    SIMULATORS: env.SIMULATORS ? env.SIMULATORS === "true" : env.NODE_ENV !== "production",
  };
}

let cached: Env | undefined;
export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}
