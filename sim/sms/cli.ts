// Standalone Africa's Talking simulator: `npx tsx sim/sms/cli.ts`. Point the app's AT base URL at the printed URL.
import { startSmsSim } from "./index";
import { stopOnSignal } from "../stop-on-signal";

const port = Number(process.env.SMS_SIM_PORT ?? 2590);

const sim = await startSmsSim({
  port,
  deliveryReportUrl: process.env.SMS_SIM_DELIVERY_REPORT_URL || undefined,
  incomingUrl: process.env.SMS_SIM_INCOMING_URL || undefined,
});
console.log(`Africa's Talking simulator listening on ${sim.baseUrl} (POST /version1/messaging)`);
console.log(`  apiKey "${sim.apiKey}", username "${sim.username}"`);
console.log(`  Sent messages: GET ${sim.baseUrl}/_sim/messages  ·  script failures: POST ${sim.baseUrl}/_sim/script`);
console.log(`  Callback URLs (per username or global): POST ${sim.baseUrl}/_sim/config  ·  a customer texts in: POST ${sim.baseUrl}/_sim/incoming`);

stopOnSignal(() => sim.stop());
