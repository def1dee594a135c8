import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "@/db/client";
import {
  adminRecoveryCodes,
  adminSessions,
  adminSignInChallenges,
  admins,
  auditEvents,
} from "@/db/schema";
import { verifyPassword } from "@/lib/auth/password";

const dataDir = mkdtempSync(path.join(tmpdir(), "authdesk-admin-create-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function adminCreate(args: string[], password: string) {
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./scripts/server-only-hook.mjs",
      "scripts/admin-create.ts",
      ...args,
    ],
    {
      input: `${password}\n`,
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env.PATH, NODE_ENV: "production", AUTHDESK_DATA_DIR: dataDir },
    },
  );
  return { status: result.status, output: result.stdout + result.stderr };
}

const PASSWORD = "a long enough passphrase";

// Each run is a child process that boots tsx and migrates a fresh embedded database; the child
// may take up to its own 60 s on a loaded machine, so the test may too.
describe("npm run admin:create", { timeout: 90_000 }, () => {
  it("creates an owner from the terminal, reading the password from stdin", async () => {
    const run = adminCreate(["--email", "Ops@Example.com"], PASSWORD);
    expect(run.output).toContain("Created owner ops@example.com");
    expect(run.status).toBe(0);

    const handle = await openPglite(path.join(dataDir, "pglite"));
    try {
      const [admin] = await handle.db.select().from(admins);
      expect(admin?.email).toBe("ops@example.com");
      expect(admin?.role).toBe("owner");
      expect(await verifyPassword(PASSWORD, admin?.passwordHash ?? "")).toBe(true);
      const [event] = await handle.db.select().from(auditEvents);
      expect(event).toMatchObject({
        action: "admin.created",
        actorType: "system",
        actorLabel: "admin:create",
      });
      expect(event?.details).toEqual({ email: "ops@example.com", role: "owner", via: "cli" });
    } finally {
      await handle.close();
    }
  });

  it("refuses an email that is taken, a short password and a missing email", () => {
    expect(adminCreate(["--email", "ops@example.com"], PASSWORD)).toMatchObject({ status: 1 });
    const short = adminCreate(["--email", "new@example.com"], "short");
    expect(short.status).toBe(2);
    expect(short.output).toContain("Use at least 12 characters");
    expect(adminCreate([], PASSWORD).output).toContain("Usage: npm run admin:create -- --email");
  });

  // Three runs of the script: allow each its own 60 s.
  it("resets an admin's two-factor sign-in and ends their sessions, and says when it cannot", {
    timeout: 200_000,
  }, async () => {
    const handle = await openPglite(path.join(dataDir, "pglite"));
    let adminId: string;
    try {
      const [admin] = await handle.db
        .update(admins)
        .set({ totpSecretSealed: "ad1.1.c2VhbGVk", totpEnabledAt: new Date(), totpLastStep: 1 })
        .where(eq(admins.email, "ops@example.com"))
        .returning({ id: admins.id });
      adminId = admin?.id as string;
      await handle.db.insert(adminRecoveryCodes).values({ adminId, codeHash: "a".repeat(64) });
      await handle.db.insert(adminSessions).values({
        tokenHash: "b".repeat(64),
        id: "ses_test",
        adminId,
        expiresAt: new Date(Date.now() + 3_600_000),
      });
      await handle.db.insert(adminSignInChallenges).values({
        tokenHash: "c".repeat(64),
        adminId,
        expiresAt: new Date(Date.now() + 300_000),
      });
    } finally {
      await handle.close();
    }

    const unknown = adminCreate(["--reset-two-factor", "--email", "nobody@example.com"], "");
    expect(unknown.status).toBe(1);
    expect(unknown.output).toContain("No admin has the email nobody@example.com");

    const reset = adminCreate(["--reset-two-factor", "--email", "OPS@example.com"], "");
    expect(reset.output).toContain(
      "Two-factor sign-in is off for ops@example.com; 1 session(s) ended",
    );
    expect(reset.status).toBe(0);

    const again = adminCreate(["--reset-two-factor", "--email", "ops@example.com"], "");
    expect(again.status).toBe(1);
    expect(again.output).toContain("ops@example.com does not have two-factor sign-in on");

    const after = await openPglite(path.join(dataDir, "pglite"));
    try {
      const [admin] = await after.db.select().from(admins).where(eq(admins.id, adminId));
      expect(admin).toMatchObject({
        totpSecretSealed: null,
        totpEnabledAt: null,
        totpLastStep: null,
      });
      expect(await after.db.select().from(adminRecoveryCodes)).toEqual([]);
      expect(await after.db.select().from(adminSessions)).toEqual([]);
      expect(await after.db.select().from(adminSignInChallenges)).toEqual([]);
      const events = await after.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.action, "admin.two_factor_reset"));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        actorType: "system",
        actorLabel: "admin:create",
        targetId: adminId,
      });
      expect(events[0]?.details).toEqual({ email: "ops@example.com", sessionsEnded: 1 });
    } finally {
      await after.close();
    }
  });

  it("will not open the embedded database while another process has it", async () => {
    const handle = await openPglite(path.join(dataDir, "pglite"));
    try {
      const run = adminCreate(["--email", "new@example.com"], PASSWORD);
      expect(run.status).toBe(1);
      expect(run.output).toContain(`is in use by process ${process.pid}`);
    } finally {
      await handle.close();
    }
  });
});
