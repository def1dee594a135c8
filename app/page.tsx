import { redirect } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";

export default async function Home() {
  await requireAdmin();
  redirect("/auth-configs");
}
