// Standalone Daraja simulator: `npx tsx sim/daraja/cli.ts`. Point the app's Daraja base URL at the printed URL.
import { startDarajaSim } from "./index";
import { stopOnSignal } from "../stop-on-signal";

const port = Number(process.env.DARAJA_SIM_PORT ?? 2600);

const sim = await startDarajaSim({ port });
console.log(`Daraja simulator listening on ${sim.baseUrl}`);
for (const a of sim.accounts()) {
  const kind = a.tillNumber ? `till ${a.tillNumber} (store ${a.shortcode})` : `paybill ${a.shortcode}`;
  console.log(`  ${kind}: consumer key "${a.consumerKey}", secret "${a.consumerSecret}", passkey "${a.passkey}"${a.initiatorName ? `, initiator "${a.initiatorName}"` : ""}`);
}
console.log(`  OAuth: GET ${sim.baseUrl}/oauth/v1/generate?grant_type=client_credentials`);
console.log(`  STK: POST /mpesa/stkpush/v1/processrequest, /mpesa/stkpushquery/v1/query · C2B: /mpesa/c2b/{v1,v2}/{registerurl,simulate} · /mpesa/transactionstatus/v1/query`);
console.log(`  Control: POST /_sim/stk/script, /_sim/c2b/pay, /_sim/txstatus/script, /_sim/accounts, /_sim/config, /_sim/reset · GET /_sim/requests, /_sim/callbacks`);

stopOnSignal(() => sim.stop());
