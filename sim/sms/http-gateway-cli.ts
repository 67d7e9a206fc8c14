// Standalone generic HTTP SMS gateway simulator: `npx tsx sim/sms/http-gateway-cli.ts`.
import { startHttpGatewaySim } from "./http-gateway";
import { stopOnSignal } from "../stop-on-signal";

const port = Number(process.env.SMS_GATEWAY_SIM_PORT ?? 2592);

const sim = await startHttpGatewaySim({ port });
console.log(`Generic HTTP SMS gateway simulator listening on ${sim.baseUrl} (GET or POST any path, e.g. ${sim.sendUrl})`);
console.log(`  Requests: GET ${sim.baseUrl}/_sim/messages  ·  failures: POST ${sim.baseUrl}/_sim/script  ·  API key: POST ${sim.baseUrl}/_sim/config`);

stopOnSignal(() => sim.stop());
