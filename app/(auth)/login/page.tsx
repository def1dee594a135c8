import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SignInForm } from "@/components/auth/sign-in-form";
import { hasAnyAdmin } from "@/lib/auth/service";
import { currentAdmin, isSafeReturnPath } from "@/lib/auth/session";
import { getDb } from "@/lib/runtime";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  if (await currentAdmin()) redirect("/auth-configs");
  if (!(await hasAnyAdmin(await getDb()))) redirect("/setup");
  const { next } = await searchParams;
  return (
    <AuthCard
      title="Sign in to Authdesk"
      description="Use your admin email and password."
      footer="No account? Ask an owner of this console for an invitation."
    >
      <SignInForm next={isSafeReturnPath(next) ? next : undefined} />
    </AuthCard>
  );
}
