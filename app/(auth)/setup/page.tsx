import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { AuthCard } from "@/components/auth/auth-card";
import { SetupForm } from "@/components/auth/setup-form";
import { Button } from "@/components/ui/button";
import { hasAnyAdmin } from "@/lib/auth/service";
import { getDb } from "@/lib/runtime";

export const metadata: Metadata = { title: "First-run setup" };

export default async function SetupPage() {
  await connection();
  if (await hasAnyAdmin(await getDb())) {
    return (
      <AuthCard
        title="Setup is complete"
        description="An admin account already exists, so this page is closed."
      >
        <Button asChild className="w-full">
          <Link href="/login">Go to sign in</Link>
        </Button>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Welcome to Authdesk"
      description="Create the first admin account. It can manage every credential in this console."
    >
      <SetupForm />
    </AuthCard>
  );
}
