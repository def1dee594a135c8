"use client";

import { ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { setTwoFactorRequirementAction } from "@/app/(console)/settings/actions";
import { useCan } from "@/components/auth/role-context";
import { SegmentedControl } from "@/components/shared/segmented-control";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { toast } from "@/components/ui/toast";

const OPTIONS = [
  { value: "yes", label: "Yes" },
  { value: "no", label: "No" },
] as const;

export type TwoFactorRequirementView = {
  required: boolean;
  /** Whether the signed-in admin has two-factor on: an owner needs it to require it. */
  ownTwoFactorEnabled: boolean;
};

/** The owner's switch that makes every admin set up two-factor sign-in before using the console. */
export function RequireTwoFactorCard({ initial }: { initial: TwoFactorRequirementView }) {
  const isOwner = useCan("owner");
  const hintId = useId();
  const [required, setRequired] = useState(initial.required);
  const [pending, setPending] = useState(false);
  const needsOwnFirst = !initial.ownTwoFactorEnabled && !required;

  async function change(next: boolean) {
    if (pending || next === required) return;
    setPending(true);
    setRequired(next);
    try {
      const result = await setTwoFactorRequirementAction({ required: next });
      if (!result.ok) {
        setRequired(!next);
        toast.error("Could not change the two-factor requirement", {
          description: result.formError,
        });
        return;
      }
      toast.success(
        result.required ? "Two-factor sign-in required" : "Two-factor sign-in optional",
        {
          description: result.required
            ? "Admins without it are sent to set it up before anything else."
            : "Each admin chooses whether to use it.",
        },
      );
    } finally {
      setPending(false);
    }
  }

  return (
    <Card aria-labelledby="require-two-factor-heading">
      <CardHeader>
        <CardTitle id="require-two-factor-heading" className="flex items-center gap-2">
          <ShieldCheck className="size-4 text-fg-subtle" aria-hidden="true" />
          Two-factor sign-in
        </CardTitle>
        <CardDescription>
          When required, every admin must set up an authenticator app before using the console;
          admins without it are sent to the set-up page at their next page load.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <fieldset className="grid gap-x-6 gap-y-1 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-center">
          <legend className="float-left font-medium text-fg text-sm sm:col-start-1 sm:row-start-1">
            Require two-factor sign-in for every admin
          </legend>
          <p id={hintId} className="text-fg-muted text-sm sm:col-start-1 sm:row-start-2">
            {!isOwner
              ? `${required ? "Required." : "Not required."} Only an owner can change this.`
              : needsOwnFirst
                ? null
                : required
                  ? "On: every admin signs in with a code from their authenticator app."
                  : "Off: each admin chooses whether to use two-factor sign-in."}
            {isOwner && needsOwnFirst ? (
              <>
                You can turn this on after you{" "}
                <Link
                  href="/account/two-factor"
                  className="font-medium text-accent-text underline-offset-2 hover:underline"
                >
                  set up two-factor sign-in for your own account
                </Link>
                , so your own requirement cannot lock you out.
              </>
            ) : null}
          </p>
          {isOwner ? (
            <SegmentedControl
              name="requireTwoFactor"
              options={OPTIONS}
              value={required ? "yes" : "no"}
              onChange={(value) => void change(value === "yes")}
              inputProps={{ "aria-describedby": hintId }}
              className="mt-2 justify-self-start sm:col-start-2 sm:row-span-2 sm:row-start-1 sm:mt-0"
            />
          ) : null}
        </fieldset>
      </CardContent>
    </Card>
  );
}
