// Outgoing SMS behind a small interface; africastalking.ts is the production implementation.

export type SmsSendResult = {
  providerMessageId: string | null;
  status: "sent" | "failed";
  cost: string | null;
  parts: number;
  error?: string;
};

/**
 * Sends one SMS. Resolves with status "failed" when the provider refused this message
 * (bad number, blacklist, no balance); throws when the provider could not be reached or
 * failed itself, so a job retries.
 */
export interface SmsSender {
  send(to: string, message: string): Promise<SmsSendResult>;
}
