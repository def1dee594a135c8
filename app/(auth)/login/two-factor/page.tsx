import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { TwoFactorSignInForm } from "@/components/auth/two-factor-sign-in-form";
import { currentAdmin, isSafeReturnPath, readSignInChallengeToken } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Two-factor sign-in" };

export default async function TwoFactorSignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  if (await currentAdmin()) redirect("/auth-configs");
  // Without the password step's cookie there is nothing to answer: start from the password.
  if (!(await readSignInChallengeToken())) redirect("/login");
  const { next } = await searchParams;
  return (
    <AuthCard
      title="Two-factor sign-in"
      description="Your password was right. Now confirm it is you with your authenticator app."
      footer={
        <>
          Not you?{" "}
          <Link href="/login" className="font-medium text-fg-muted underline underline-offset-2">
            Start again
          </Link>
          . Lost your device and your recovery codes? Whoever runs the server can reset your
          two-factor sign-in with <code className="font-mono text-xs">npm run admin:create</code>.
        </>
      }
    >
      <TwoFactorSignInForm next={isSafeReturnPath(next) ? next : undefined} />
    </AuthCard>
  );
}
