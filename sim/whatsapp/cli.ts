// Standalone WhatsApp simulators: `npx tsx sim/whatsapp/cli.ts [cloudPort] [ultramsgPort]`
// (or WHATSAPP_CLOUD_SIM_PORT / ULTRAMSG_SIM_PORT). Point the Graph API root and the UltraMsg API
// root at the printed URLs. WHATSAPP_SIM_WEBHOOK_URL / ULTRAMSG_SIM_WEBHOOK_URL set the demo
// accounts' webhook URLs; more accounts and instances via POST /_sim/accounts and /_sim/instances.
import { startUltraMsgSim, startWhatsAppCloudSim } from "./index";
import { stopOnSignal } from "../stop-on-signal";

const cloudPort = Number(process.argv[2] ?? process.env.WHATSAPP_CLOUD_SIM_PORT ?? 2620);
const ultramsgPort = Number(process.argv[3] ?? process.env.ULTRAMSG_SIM_PORT ?? 2621);

const cloud = await startWhatsAppCloudSim({
  port: cloudPort,
  accounts: [
    {
      phoneNumberId: "106540352242922",
      accessToken: "sim-whatsapp-token",
      appSecret: "sim-whatsapp-app-secret",
      webhookUrl: process.env.WHATSAPP_SIM_WEBHOOK_URL || null,
      approvedTemplates: [
        { name: "voucher_code", language: "en", bodyParams: 2 },
        { name: "renewal_reminder", language: "en", bodyParams: 3 },
      ],
    },
  ],
});
const ultramsg = await startUltraMsgSim({
  port: ultramsgPort,
  instances: [{ instanceId: "instance12345", token: "sim-ultramsg-token", webhookUrl: process.env.ULTRAMSG_SIM_WEBHOOK_URL || null }],
});

console.log(`WhatsApp Cloud API simulator listening on ${cloud.baseUrl} (POST /v21.0/{phone-number-id}/messages)`);
for (const a of cloud.accounts()) {
  console.log(`  phone number ID ${a.phoneNumberId}: token "${a.accessToken}", app secret "${a.appSecret}", templates ${a.approvedTemplates.map((t) => `${t.name}/${t.language}(${t.bodyParams})`).join(", ")}`);
}
console.log(`  Control: POST /_sim/accounts, /_sim/inbound, /_sim/script, /_sim/config, /_sim/reset · GET /_sim/messages, /_sim/webhooks`);
console.log(`UltraMsg simulator listening on ${ultramsg.baseUrl} (POST /{instance}/messages/chat)`);
for (const i of ultramsg.instances()) console.log(`  ${i.instanceId}: token "${i.token}"`);
console.log(`  Control: POST /_sim/instances, /_sim/inbound, /_sim/script, /_sim/config, /_sim/reset · GET /_sim/messages, /_sim/webhooks`);

stopOnSignal(async () => {
  await Promise.all([cloud.stop(), ultramsg.stop()]);
});
