import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, lte } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { adminSessions, admins } from "@/db/schema";

export interface SignedInAdmin {
  id: string;
  email: string;
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(
  executor: Executor,
  adminId: string,
  options: { lifetimeHours: number; clientAddress: string | null; userAgent: string | null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + options.lifetimeHours * 3_600_000);
  // Expired sessions are swept here rather than by a scheduler the embedded setup lacks.
  await executor.delete(adminSessions).where(lte(adminSessions.expiresAt, new Date()));
  await executor.insert(adminSessions).values({
    tokenHash: hashToken(token),
    adminId,
    expiresAt,
    clientAddress: options.clientAddress,
    userAgent: options.userAgent?.slice(0, 512) ?? null,
  });
  return { token, expiresAt };
}

export async function findSessionAdmin(
  executor: Executor,
  token: string,
): Promise<SignedInAdmin | null> {
  const [row] = await executor
    .select({ id: admins.id, email: admins.email })
    .from(adminSessions)
    .innerJoin(admins, eq(admins.id, adminSessions.adminId))
    .where(
      and(eq(adminSessions.tokenHash, hashToken(token)), gt(adminSessions.expiresAt, new Date())),
    )
    .limit(1);
  return row ?? null;
}

export async function deleteSession(executor: Executor, token: string): Promise<void> {
  await executor.delete(adminSessions).where(eq(adminSessions.tokenHash, hashToken(token)));
}
