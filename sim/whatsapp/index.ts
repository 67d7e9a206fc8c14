// WhatsApp simulators: the Business Cloud API (Meta) and the UltraMsg gateway.
export {
  startWhatsAppCloudSim,
  signCloudWebhook,
  isCloudOutcome,
  type WhatsAppCloudSim,
  type CloudAccount,
  type CloudAccountInput,
  type CloudTemplate,
  type CloudOutcome,
  type CloudStoredMessage,
  type CloudWebhookDelivery,
  type CloudSimConfig,
} from "./cloud";
export {
  startUltraMsgSim,
  isUltraMsgOutcome,
  type UltraMsgSim,
  type UltraMsgInstance,
  type UltraMsgInstanceInput,
  type UltraMsgOutcome,
  type UltraMsgStoredMessage,
  type UltraMsgWebhookDelivery,
  type UltraMsgSimConfig,
} from "./ultramsg";
