// Standalone Advanta-compatible SMS gateway simulator: `npx tsx sim/sms/advanta-cli.ts`.
// Leave an ISP's gateway URL at the Advanta default and point the Advanta endpoint at the printed URL.
import { startAdvantaSim } from "./advanta";
import { stopOnSignal } from "../stop-on-signal";

const port = Number(process.env.ADVANTA_SIM_PORT ?? 2591);

const sim = await startAdvantaSim({ port, callbackUrl: process.env.ADVANTA_SIM_CALLBACK_URL || undefined });
console.log(`Advanta SMS simulator listening on ${sim.baseUrl} (POST /api/services/sendsms/, /getdlr/, /getbalance/)`);
console.log(`  partnerID "${sim.partnerID}", apikey "${sim.apiKey}", shortcode "${sim.shortcode}"`);
console.log(`  Sent messages: GET ${sim.baseUrl}/_sim/messages  ·  script outcomes: POST ${sim.baseUrl}/_sim/script  ·  callback URL: POST ${sim.baseUrl}/_sim/config`);

stopOnSignal(() => sim.stop());
