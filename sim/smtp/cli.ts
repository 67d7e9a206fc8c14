// Standalone SMTP simulator: `npx tsx sim/smtp/cli.ts`. Point the app's SMTP_URL at the printed smtp:// URL.
import { startSmtpSim } from "./index";
import { stopOnSignal } from "../stop-on-signal";

const smtpPort = Number(process.env.SMTP_SIM_PORT ?? 2525);
const httpPort = Number(process.env.SMTP_SIM_HTTP_PORT ?? 2580);

const sim = await startSmtpSim({ smtpPort, httpPort });
console.log(`SMTP simulator listening on ${sim.url}`);
console.log(`Inbox API on ${sim.inboxUrl}/messages (GET ?to=addr, GET /messages/latest?to=addr, DELETE /messages)`);

stopOnSignal(() => sim.stop());
