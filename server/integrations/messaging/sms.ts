// The ISP SMS providers, by kind, and the segment counter the dashboard and the simulators share.
import { africasTalkingModule } from "./sms-africastalking";
import { advantaModule } from "./sms-advanta";
import { httpSmsModule } from "./sms-http";
import type { ProviderModule, SmsProviderKind } from "./types";

export { countSmsSegments, type SmsEncoding, type SmsSegmentCount } from "./sms-segments";

export const smsProviders: Record<SmsProviderKind, ProviderModule> = {
  africastalking: africasTalkingModule,
  advanta: advantaModule,
  http: httpSmsModule,
};
