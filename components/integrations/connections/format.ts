import type { BadgeVariant } from "@/components/ui/badge";
import type { ConnectionOutput } from "@/lib/integrations/contract";

/** The end user's id, or what the one connection of a SERVICE_ACCOUNT integration is. */
export function connectionName(connection: Pick<ConnectionOutput, "endUserId">): string {
  return connection.endUserId ?? "Service connection";
}

export const STATUS_BADGES: Record<
  ConnectionOutput["status"],
  { label: string; variant: BadgeVariant; hint?: string }
> = {
  active: { label: "Active", variant: "success" },
  needs_reconnect: {
    label: "Needs reconnect",
    variant: "warning",
    hint: "The service no longer accepts the connection's refresh token. Programs get 409 needs_reconnect until the end user connects again.",
  },
};
