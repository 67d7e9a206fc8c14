// The WhatsApp provider kinds an ISP can choose (docs/decisions/0013-whatsapp-providers.md).
import type { ProviderModule, WhatsAppProviderKind } from "./types";
import { whatsappCloudProvider } from "./whatsapp-cloud";
import { whatsappUltraMsgProvider } from "./whatsapp-ultramsg";

export const whatsappProviders: Record<WhatsAppProviderKind, ProviderModule> = {
  ultramsg: whatsappUltraMsgProvider,
  cloud_api: whatsappCloudProvider,
};

export { whatsappCloudProvider, parseCloudWebhook, describeCloudError, CLOUD_DEFAULT_API_VERSION, CLOUD_DEFAULT_TEMPLATE_LANGUAGE } from "./whatsapp-cloud";
export { whatsappUltraMsgProvider, parseUltraMsgWebhook, normalizeInstanceId } from "./whatsapp-ultramsg";
export { WhatsAppError, hubSignature, type WhatsAppErrorKind } from "./whatsapp-common";
