"use client";

import { LockKeyhole } from "lucide-react";
import { useId, useState } from "react";
import { useCan } from "@/components/auth/role-context";
import { formatDateTime } from "@/components/shared/format";
import { SegmentedControl } from "@/components/shared/segmented-control";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { OrganizationSettingsView } from "@/lib/settings/contract";
import { useOrganizationSettings, useSetBasicAuthEnabled } from "./queries";

const OPTIONS = [
  { value: "yes", label: "Yes" },
  { value: "no", label: "No" },
] as const;

/** The seed's "Enable Basic Authentication" Yes/No, saved (and audited) as soon as it changes. */
export function BasicAuthCard({ initial }: { initial: OrganizationSettingsView }) {
  const settings = useOrganizationSettings(initial);
  const change = useSetBasicAuthEnabled();
  const hintId = useId();
  // An organisation-wide switch: the server takes it from owners only (setBasicAuthEnabledAction).
  const canChange = useCan("owner");
  // The choice shows in the same render as the click (a query-cache update would land a tick
  // later, and the radio would flick back meanwhile); it gives way to the server's answer.
  const [requested, setRequested] = useState<boolean | null>(null);
  const enabled = requested ?? settings.data?.basicAuthEnabled ?? initial.basicAuthEnabled;

  return (
    <Card aria-labelledby="basic-auth-heading">
      <CardHeader>
        <CardTitle id="basic-auth-heading" className="flex items-center gap-2">
          <LockKeyhole className="size-4 text-fg-subtle" aria-hidden="true" />
          Basic authentication
        </CardTitle>
        <CardDescription>
          Lets programs call the public API with a till&apos;s code and password in an{" "}
          <code className="font-mono text-fg text-xs">Authorization: Basic</code> header, besides
          OAuth 2.0 access tokens.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {/* A floated legend is laid out like any grid item, yet still names the radio group. */}
        <fieldset className="grid gap-x-6 gap-y-1 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-center">
          <legend className="float-left font-medium text-fg text-sm sm:col-start-1 sm:row-start-1">
            Enable Basic Authentication
          </legend>
          <p id={hintId} className="text-fg-muted text-sm sm:col-start-1 sm:row-start-2">
            {enabled
              ? "On: a till's code and password are accepted."
              : "Off: requests with a till's code and password get 401 Unauthorized."}
            {settings.data ? (
              <span className="block text-fg-subtle text-xs">
                Last changed{" "}
                <time dateTime={settings.data.updatedAt.toISOString()}>
                  {formatDateTime(settings.data.updatedAt)}
                </time>
              </span>
            ) : null}
            {canChange ? null : (
              <span className="block text-fg-subtle text-xs">Only owners can change this.</span>
            )}
          </p>
          <SegmentedControl
            name="basicAuthEnabled"
            options={OPTIONS}
            value={enabled ? "yes" : "no"}
            // Not disabled while saving: that would take the focus away from keyboard users.
            onChange={(value) => {
              if (change.isPending) return;
              setRequested(value === "yes");
              change.mutate(value === "yes", { onSettled: () => setRequested(null) });
            }}
            disabled={!canChange}
            inputProps={{ "aria-describedby": hintId }}
            className="mt-2 justify-self-start sm:col-start-2 sm:row-span-2 sm:row-start-1 sm:mt-0"
          />
        </fieldset>
      </CardContent>
    </Card>
  );
}
