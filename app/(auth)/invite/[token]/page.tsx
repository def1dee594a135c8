import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvitationForm } from "@/components/admins/accept-invitation-form";
import { InvitationProblemNotice } from "@/components/admins/invitation-problem";
import { AuthCard } from "@/components/auth/auth-card";
import { invitationTokenSchema } from "@/lib/admins/schema";
import { describeInvitation } from "@/lib/admins/service";
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from "@/lib/auth/roles";
import { getDb } from "@/lib/runtime";

// The path holds the invitation's token: no Referer may carry it to another site (the server
// sends Referrer-Policy: no-referrer too, and no-store; see lib/http/security-headers.ts).
export const metadata: Metadata = { title: "Join Authdesk", referrer: "no-referrer" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const wellFormed = invitationTokenSchema.safeParse(token);
  const found = wellFormed.success
    ? await describeInvitation(await getDb(), wellFormed.data)
    : ({ ok: false, error: "unknown" } as const);
  if (!found.ok) return <InvitationProblemNotice problem={found.error} />;
  const { invitation } = found;
  const role = ROLE_LABELS[invitation.role];
  return (
    <AuthCard
      title="Join Authdesk"
      description={
        <>
          {invitation.invitedBy ?? "An owner"} invited{" "}
          <span className="font-medium text-fg">{invitation.email}</span> to join as{" "}
          <span className="font-medium text-fg">{role}</span>: {ROLE_DESCRIPTIONS[invitation.role]}.
          Choose a password to finish.
        </>
      }
      footer={
        <>
          Already have an account? <Link href="/login">Sign in</Link>
        </>
      }
    >
      <AcceptInvitationForm
        token={token}
        email={invitation.email}
        expiresAt={invitation.expiresAt}
      />
    </AuthCard>
  );
}
