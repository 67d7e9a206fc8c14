import type { Route } from "./+types/dashboard.messaging";
import { SectionTabs } from "../components/section-tabs";
import { requireIspUser } from "../lib/session.server";

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireIspUser(context, request, { permission: "messaging.view" });
  return null;
}

/** Messaging: SMS and WhatsApp are separate panels; notifications and broadcasts use both. */
export default function MessagingLayout() {
  return (
    <SectionTabs
      label="Messaging"
      tabs={[
        { to: "/dashboard/messaging/sms", label: "SMS" },
        { to: "/dashboard/messaging/whatsapp", label: "WhatsApp" },
        { to: "/dashboard/messaging/notifications", label: "Notifications" },
        { to: "/dashboard/messaging/broadcasts", label: "Broadcasts" },
      ]}
    />
  );
}
