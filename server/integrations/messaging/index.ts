// Every messaging provider an ISP can choose, by kind. The outbox and the settings pages go
// through this registry; each provider lives in its own file with its simulator in sim/.
import type { Channel, ProviderEndpoints, ProviderKind, ProviderModule } from "./types";
import { smsProviders } from "./sms";
import { whatsappProviders } from "./whatsapp";

export * from "./types";
export { countSmsSegments } from "./sms";

export const providerModules: Record<ProviderKind, ProviderModule> = { ...smsProviders, ...whatsappProviders };

export function providersFor(channel: Channel): ProviderModule[] {
  return Object.values(providerModules).filter((m) => m.channel === channel);
}

export function isProviderKind(kind: string): kind is ProviderKind {
  return Object.hasOwn(providerModules, kind);
}

/** The real APIs' roots (the simulators replace them when SIMULATORS=true). */
export const REAL_ENDPOINTS: ProviderEndpoints = {
  africastalking: "https://api.africastalking.com",
  advanta: "https://quicksms.advantasms.com",
  ultramsg: "https://api.ultramsg.com",
  graph: "https://graph.facebook.com",
};
