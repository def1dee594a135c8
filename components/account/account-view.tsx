import { PageHeader } from "@/components/ui/page-header";
import { TwoFactorCard } from "./two-factor-card";

export type AccountViewProps = { email: string };

/** The signed-in admin's own account: password, two-factor sign-in and sessions. */
export function AccountView({ email }: AccountViewProps) {
  return (
    <>
      <PageHeader
        title="Your account"
        description={`Signed in as ${email}. Your password, two-factor sign-in and where you are signed in.`}
      />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6" />
      <TwoFactorCard email={email} />
    </>
  );
}
