import { CircleCheck } from "lucide-react";
import { ConnectCard } from "./connect-card";

/** The end of a connect without a return URL: the connection is stored, nothing else to do. */
export function ConnectedView({ integrationName }: { integrationName: string }) {
  return (
    <ConnectCard
      tone="success"
      icon={<CircleCheck />}
      eyebrow={integrationName}
      title="Connected"
      description={
        <p>
          {integrationName} is connected. You can close this page and go back to the app you came
          from.
        </p>
      }
    />
  );
}
