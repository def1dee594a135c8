import { Link2Off } from "lucide-react";
import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";
import { buttonVariants } from "@/components/ui/button";
import type { InvitationProblem } from "@/lib/admins/contract";

const PROBLEMS: Record<InvitationProblem, { title: string; text: string }> = {
  unknown: {
    title: "This invitation link does not work",
    text: "It may have been copied incompletely, or it was replaced by a newer invitation. Ask the owner who invited you for a new invitation.",
  },
  expired: {
    title: "This invitation has expired",
    text: "Invitation links work for 7 days. Ask the owner who invited you for a new invitation.",
  },
  revoked: {
    title: "This invitation was withdrawn",
    text: "An owner revoked it, or sent a newer one. Ask for a new invitation if you still need access.",
  },
  used: {
    title: "This invitation was already used",
    text: "Each link works once. If you set your password with it, sign in; otherwise ask for a new invitation.",
  },
  already_admin: {
    title: "You already have an account",
    text: "This email already belongs to an admin. Sign in, or ask an owner if you cannot.",
  },
};

/**
 * What a dead link shows instead of the form: what happened and what to do, never an error page.
 * `inline` renders inside the page's card (the link died while the form was open).
 */
export function InvitationProblemNotice({
  problem,
  inline = false,
}: {
  problem: InvitationProblem;
  inline?: boolean;
}) {
  const { title, text } = PROBLEMS[problem];
  const body = (
    <div className="space-y-5">
      <div role={inline ? "alert" : undefined} className="flex gap-3 text-fg-muted text-sm">
        <Link2Off aria-hidden="true" className="mt-0.5 size-5 shrink-0 text-fg-subtle" />
        <p className="text-pretty leading-relaxed">
          {inline ? <span className="block font-medium text-fg">{title}</span> : null}
          {text}
        </p>
      </div>
      <Link href="/login" className={buttonVariants({ variant: "secondary", className: "w-full" })}>
        Go to sign-in
      </Link>
    </div>
  );
  if (inline) return body;
  return <AuthCard title={title}>{body}</AuthCard>;
}
