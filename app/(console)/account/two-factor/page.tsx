import type { Metadata } from "next";
import { TwoFactorSetup } from "@/components/account/two-factor-setup";
import { requireSignedIn } from "@/lib/auth/session";
import { beginTwoFactorEnrolment, getTwoFactorStatus } from "@/lib/auth/two-factor";
import { startRuntime } from "@/lib/runtime";

export const metadata: Metadata = { title: "Set up two-factor sign-in" };

/**
 * Setting up TOTP. requireSignedIn, not requireAdmin: requireAdmin sends here any admin the
 * organisation requires two-factor of, so this page must render for them.
 */
export default async function TwoFactorSetupPage() {
  const admin = await requireSignedIn();
  const { database, keyring } = await startRuntime();
  const status = await getTwoFactorStatus(database.db, admin.id);
  if (status.enabled) {
    return <TwoFactorSetup state={{ step: "already-on", enabledAt: status.enabledAt }} />;
  }
  const begun = await beginTwoFactorEnrolment(database.db, keyring, admin);
  if (!begun.ok) {
    return <TwoFactorSetup state={{ step: "already-on", enabledAt: status.enabledAt }} />;
  }
  return (
    <TwoFactorSetup
      state={{
        step: "scan",
        email: admin.email,
        required: status.required,
        secret: begun.enrolment.secret,
        qrCodeSvg: begun.enrolment.qrCodeSvg,
      }}
    />
  );
}
