"use client";

import { CircleCheck, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { type FormEvent, useEffect, useState } from "react";
import { confirmTwoFactorAction } from "@/app/(console)/account/two-factor/actions";
import { CopyButton } from "@/components/api-clients/copy-button";
import { FormError } from "@/components/auth/form-error";
import { formatDateTime } from "@/components/shared/format";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { confirmTwoFactorSchema } from "@/lib/auth/two-factor-schema";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { RecoveryCodes } from "./recovery-codes";

export type TwoFactorSetupState =
  | { step: "already-on"; enabledAt: Date | null }
  | { step: "scan"; email: string; required: boolean; secret: string; qrCodeSvg: string };

/** The secret in groups of four, as authenticator apps' "enter a setup key" screens show it. */
function grouped(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(" ") ?? secret;
}

/**
 * Setting up two-factor sign-in: scan the QR code (or type the key), prove it with a code, then
 * save the recovery codes, which exist only in this component's state from then on.
 */
export function TwoFactorSetup({ state }: { state: TwoFactorSetupState }) {
  if (state.step === "already-on") {
    return (
      <>
        <PageHeader title="Two-factor sign-in" />
        <Card>
          <CardContent className="flex items-start gap-3">
            <CircleCheck className="mt-0.5 size-5 shrink-0 text-success-text" aria-hidden="true" />
            <div className="grid gap-2 text-sm">
              <p className="font-medium text-fg">
                Two-factor sign-in is on
                {state.enabledAt ? ` since ${formatDateTime(state.enabledAt)}` : ""}.
              </p>
              <p className="text-fg-muted">
                Manage it, replace your recovery codes or turn it off on{" "}
                <Link href="/account" className="font-medium text-accent-text hover:underline">
                  Your account
                </Link>
                .
              </p>
            </div>
          </CardContent>
        </Card>
      </>
    );
  }
  return <Enrolment {...state} />;
}

function Enrolment({
  email,
  required,
  secret,
  qrCodeSvg,
}: Extract<TwoFactorSetupState, { step: "scan" }>) {
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [leaving, setLeaving] = useState(false);

  useEffect(() => {
    // After the codes (and their "Leave site?" guard) have unmounted. A full load: the console
    // re-reads the session, which now has two-factor on.
    if (leaving) window.location.assign(required ? "/auth-configs" : "/account");
  }, [leaving, required]);
  const [fieldErrors, setFieldErrors] = useState<{ code?: string; password?: string }>({});
  const [formError, setFormError] = useState<string>();
  const [pending, setPending] = useState(false);

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      code: String(form.get("code") ?? ""),
      password: String(form.get("password") ?? ""),
    };
    const parsed = confirmTwoFactorSchema.safeParse(input);
    if (!parsed.success) {
      setFieldErrors(fieldErrorsOf<"code" | "password">(parsed.error));
      return;
    }
    setPending(true);
    try {
      const result = await confirmTwoFactorAction(input);
      if (result.ok) {
        setRecoveryCodes(result.recoveryCodes);
        return;
      }
      setFieldErrors("fieldErrors" in result ? result.fieldErrors : {});
      setFormError("formError" in result ? result.formError : undefined);
    } finally {
      setPending(false);
    }
  }

  const why = required
    ? "Your organisation requires two-factor sign-in for every admin. Set it up to continue using the console."
    : "Protect your account with a second step at sign-in: a code from an authenticator app on your phone, so a stolen password alone cannot sign in.";

  if (leaving) {
    return <PageHeader title="Two-factor sign-in is on" description="Taking you back…" />;
  }

  if (recoveryCodes) {
    return (
      <>
        <PageHeader
          title="Save your recovery codes"
          description="Step 2 of 2. Two-factor sign-in is now on."
        />
        <Card className="max-w-2xl">
          <CardContent className="grid gap-5">
            <RecoveryCodes codes={recoveryCodes} email={email} />
            <div className="flex justify-end border-line border-t pt-4">
              <Button type="button" onClick={() => setLeaving(true)}>
                I have saved these
              </Button>
            </div>
          </CardContent>
        </Card>
      </>
    );
  }

  return (
    <>
      <PageHeader title="Set up two-factor sign-in" description={`Step 1 of 2. ${why}`} />
      <Card className="max-w-3xl">
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <ShieldCheck className="size-4 text-fg-subtle" aria-hidden="true" />
            Connect an authenticator app
          </CardTitle>
          <CardDescription>
            Google Authenticator, Microsoft Authenticator, 1Password, Authy and similar apps work.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-6 sm:grid-cols-[auto_minmax(0,1fr)]">
          <div className="grid justify-items-center gap-2 sm:justify-items-start">
            <div
              role="img"
              aria-label={`QR code to add Authdesk (${email}) to an authenticator app`}
              // White behind the code in every theme: scanners need the contrast.
              className="size-48 rounded-lg border border-line bg-white p-2 [&_svg]:size-full"
              // The SVG comes from the qrcode library on our server, from our own otpauth URI.
              // biome-ignore lint/security/noDangerouslySetInnerHtml: generated SVG, no user markup
              dangerouslySetInnerHTML={{ __html: qrCodeSvg }}
            />
          </div>
          <div className="grid content-start gap-5">
            <ol className="grid list-decimal gap-1.5 pl-5 text-fg-muted text-sm">
              <li>Open your authenticator app and add an account.</li>
              <li>Scan the QR code, or type the setup key below.</li>
              <li>Enter the 6-digit code the app then shows.</li>
            </ol>
            <div className="grid gap-1.5">
              <p className="font-medium text-fg text-sm">Setup key</p>
              <div className="flex flex-wrap items-center gap-2">
                <code
                  data-testid="setup-key"
                  className="break-all rounded-md border border-line bg-surface-subtle px-2.5 py-1.5 font-mono text-fg text-sm"
                >
                  {grouped(secret)}
                </code>
                <CopyButton value={secret} label="Copy setup key" />
              </div>
              <p className="text-fg-subtle text-xs">
                Account: {email} · Time-based · 6 digits · every 30 seconds
              </p>
            </div>
            <form onSubmit={confirm} noValidate className="grid gap-4">
              {formError ? <FormError>{formError}</FormError> : null}
              <Field label="Code from the app" error={fieldErrors.code}>
                <Input
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={7}
                  placeholder="123456"
                  className="max-w-40 font-mono tracking-widest"
                  onChange={() => setFieldErrors(({ password }) => ({ password }))}
                />
              </Field>
              <Field
                label="Your password"
                hint="Turning two-factor on signs you out everywhere else."
                error={fieldErrors.password}
              >
                <Input
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  className="max-w-xs"
                  onChange={() => setFieldErrors(({ code }) => ({ code }))}
                />
              </Field>
              <div>
                <Button type="submit" pending={pending}>
                  Turn on two-factor
                </Button>
              </div>
            </form>
          </div>
        </CardContent>
      </Card>
    </>
  );
}
