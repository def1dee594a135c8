import { PageHeader } from "@/components/ui/page-header";
import type { AdminSessionView } from "@/lib/auth/account-contract";
import { PasswordCard } from "./password-card";
import { SessionsCard } from "./sessions-card";
import { TwoFactorCard } from "./two-factor-card";

export type AccountViewProps = {
  email: string;
  /** This admin's live sessions, from the server render. */
  initialSessions: AdminSessionView[];
};

/** The signed-in admin's own account: password, two-factor sign-in and sessions. */
export function AccountView({ email, initialSessions }: AccountViewProps) {
  return (
    <>
      <PageHeader
        title="Your account"
        description={`Signed in as ${email}. Your password, two-factor sign-in and where you are signed in.`}
      />
      {/* minmax(0, 1fr): long addresses or device names wrap inside their card. */}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
        <PasswordCard email={email} />
        <TwoFactorCard email={email} />
        <SessionsCard initial={initialSessions} />
      </div>
    </>
  );
}
