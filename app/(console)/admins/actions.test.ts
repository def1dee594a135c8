import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { adminInvitations, admins } from "@/db/schema";
import type { Role } from "@/lib/auth/roles";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import { createSession } from "@/lib/auth/sessions";
import { testRequest } from "@/lib/forms/server-actions.testing";
import { newId } from "@/lib/ids";
import { startRuntime, stopRuntime } from "@/lib/runtime";
import {
  changeAdminRoleAction,
  inviteAdminAction,
  listAdminsAction,
  removeAdminAction,
  revokeInvitationAction,
} from "./actions";

// Actions read the request through next/headers; the stand-in serves the session cookie.
vi.mock(
  "next/headers",
  async () => (await import("@/lib/forms/server-actions.testing")).nextHeadersStub,
);

/*
 * The Admins page's actions check the role themselves: everyone may read the team, only owners
 * may change it. Real actions, real runtime on an embedded database; only the request is a
 * stand-in.
 */

const runtimeDir = mkdtempSync(path.join(os.tmpdir(), "authdesk-admins-actions-"));
let db: Database;
const team: Partial<Record<Role, { id: string; email: string }>> = {};
/** A real SMTP server on loopback, which AUTHDESK_SMTP_URL points at. */
const mailbox: { to: string[]; data: string }[] = [];
const smtp = new SMTPServer({
  disabledCommands: ["STARTTLS"],
  authOptional: true,
  onData(stream, session, callback) {
    let data = "";
    stream.on("data", (chunk: Buffer) => {
      data += chunk.toString("utf8");
    });
    stream.on("end", () => {
      mailbox.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), data });
      callback();
    });
  },
});

async function actAs(role: Role): Promise<void> {
  const admin = team[role];
  if (!admin) throw new Error(`no ${role}`);
  const session = await createSession(db, admin.id, {
    lifetimeHours: 1,
    idleMinutes: 30,
    clientAddress: null,
    userAgent: "vitest",
  });
  testRequest.cookies.set(sessionCookieName(false), session.token);
}

describe("the Admins page's actions", () => {
  beforeAll(async () => {
    process.env.AUTHDESK_DATA_DIR = runtimeDir;
    process.env.DATABASE_URL = "";
    process.env.AUTHDESK_ENCRYPTION_KEYS = "";
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const { port } = smtp.server.address() as AddressInfo;
    process.env.AUTHDESK_SMTP_URL = `smtp://127.0.0.1:${port}`;
    process.env.AUTHDESK_SMTP_FROM = "Authdesk <authdesk@example.com>";
    db = (await startRuntime(() => {})).database.db;
    for (const role of ["owner", "admin", "viewer"] as const) {
      const admin = { id: newId("adm"), email: `${role}@example.com` };
      await db.insert(admins).values({ ...admin, role, passwordHash: "unused" });
      team[role] = admin;
    }
  });

  afterAll(async () => {
    if (smtp.server.listening) await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await stopRuntime();
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  it("refuse every change from an admin or a viewer, even with valid arguments", async () => {
    await actAs("owner");
    const invited = await inviteAdminAction({ email: "grace@example.com", role: "admin" });
    if (!invited.ok) throw new Error("the owner could not invite");
    const viewer = team.viewer?.id ?? "";
    for (const role of ["admin", "viewer"] as const) {
      await actAs(role);
      const answers = [
        await inviteAdminAction({ email: "mallory@example.com", role: "owner" }),
        await revokeInvitationAction({ id: invited.invitation.id }),
        await changeAdminRoleAction({ adminId: team[role]?.id, role: "owner" }),
        await removeAdminAction({ adminId: viewer }),
      ];
      for (const answer of answers) expect(answer).toMatchObject({ ok: false, forbidden: true });
      // Reading is for everyone.
      const listed = await listAdminsAction();
      expect(listed.ok && listed.overview.admins.map((admin) => admin.role).sort()).toEqual([
        "admin",
        "owner",
        "viewer",
      ]);
    }
    // Nothing changed: the roles, the team and the invitation are as they were.
    const roles = await db.select({ email: admins.email, role: admins.role }).from(admins);
    expect(roles.map(({ email, role }) => `${email}:${role}`).sort()).toEqual([
      "admin@example.com:admin",
      "owner@example.com:owner",
      "viewer@example.com:viewer",
    ]);
    const [invitation] = await db
      .select()
      .from(adminInvitations)
      .where(eq(adminInvitations.id, invited.invitation.id));
    expect(invitation?.revokedAt).toBeNull();
  });

  it("give an owner the link once, from the request's origin, and email it when SMTP is set", async () => {
    await actAs("owner");
    const invited = await inviteAdminAction({ email: "Linus@Example.com", role: "viewer" });
    expect(invited).toMatchObject({
      ok: true,
      email: "sent",
      invitation: { email: "linus@example.com", role: "viewer", invitedBy: "owner@example.com" },
    });
    if (!invited.ok) throw new Error("not invited");
    expect(invited.link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/invite\/[\w-]{43}$/);
    // Only the allowlisted fields leave the server: no token hash.
    expect(Object.keys(invited.invitation).sort()).toEqual(
      ["createdAt", "email", "expiresAt", "id", "invitedBy", "role"].sort(),
    );
    const mail = mailbox.at(-1);
    expect(mail?.to).toEqual(["linus@example.com"]);
    expect(mail?.data.replace(/=\r?\n/g, "")).toContain(invited.link);

    expect(await inviteAdminAction({ email: "viewer@example.com", role: "admin" })).toEqual({
      ok: false,
      fieldErrors: { email: "This person is already an admin" },
    });
  });

  it("keep the invitation when the email cannot be sent, and say so", async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    await actAs("owner");
    const invited = await inviteAdminAction({ email: "margaret@example.com", role: "admin" });
    log.mockRestore();
    expect(invited).toMatchObject({ ok: true, email: "failed" });
    const listed = await listAdminsAction();
    expect(
      listed.ok && listed.overview.invitations.map((invitation) => invitation.email),
    ).toContain("margaret@example.com");
  });
});
