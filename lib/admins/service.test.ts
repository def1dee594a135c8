import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { adminInvitations, adminSessions, admins, auditEvents } from "@/db/schema";
import type { Role } from "@/lib/auth/roles";
import { signIn } from "@/lib/auth/service";
import { createSession, findSessionAdmin } from "@/lib/auth/sessions";
import { createTestDatabase, openSecondInstance, testDrivers } from "@/lib/testing/databases";
import {
  acceptInvitation,
  changeRole,
  describeInvitation,
  INVITATION_LIFETIME_DAYS,
  inviteAdmin,
  listAdmins,
  removeAdmin,
  revokeInvitation,
} from "./service";

const ORIGIN = "https://authdesk.example.com";
const PASSWORD = "a long invitee passphrase";
const meta = { clientAddress: "192.0.2.10", userAgent: "vitest" };
const sessionPolicy = { lifetimeHours: 1, idleMinutes: 30 };
const acceptContext = { ...meta, ...sessionPolicy };

function contextOf(admin: { id: string; email: string }) {
  return {
    actor: { type: "admin" as const, id: admin.id, label: admin.email },
    clientAddress: null,
  };
}

function tokenOf(link: string): string {
  const token = link.split("/invite/")[1];
  if (!token) throw new Error(`not an invitation link: ${link}`);
  return token;
}

describe.each(testDrivers)("admins on %s", (driver) => {
  let handle: DatabaseHandle;
  /** A second app instance on the same database (its own pool on PostgreSQL). */
  let second: DatabaseHandle;
  const ada = { id: "adm_ada", email: "ada@example.com" };

  async function addAdmin(id: string, email: string, role: Role) {
    await handle.db.insert(admins).values({ id, email, role, passwordHash: "unused" });
    return { id, email };
  }

  async function invite(email: string, role: Role = "admin") {
    const result = await inviteAdmin(
      handle.db,
      { email, role },
      { ...contextOf(ada), origin: ORIGIN },
    );
    if (!result.ok) throw new Error(result.error);
    return result;
  }

  async function ownerCount() {
    const rows = await handle.db.select().from(admins).where(eq(admins.role, "owner"));
    return rows.length;
  }

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    second = await openSecondInstance(handle);
  });
  afterAll(async () => {
    await second.close();
    await handle.close();
  });
  beforeEach(async () => {
    await handle.db.delete(adminInvitations);
    await handle.db.delete(admins);
    await handle.db.delete(auditEvents);
    await addAdmin(ada.id, ada.email, "owner");
  });

  it("invites with a link whose token is stored only as a hash, for 7 days on the database clock", async () => {
    const invited = await invite("Grace@Example.com", "viewer");
    expect(invited.link).toMatch(/^https:\/\/authdesk\.example\.com\/invite\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(invited.link);
    const [row] = await queryRows<{ token_hash: string; lifetime: string; email: string }>(
      handle.db,
      sql`select token_hash, (expires_at - created_at)::text as lifetime, email from admin_invitations`,
    );
    expect(row?.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(row?.lifetime).toBe(`${INVITATION_LIFETIME_DAYS} days`);
    expect(row?.email).toBe("Grace@Example.com");

    const events = await handle.db.select().from(auditEvents);
    expect(events.map((event) => [event.action, event.details])).toEqual([
      ["admin.invited", { email: "Grace@Example.com", role: "viewer" }],
    ]);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(row?.token_hash);

    const overview = await listAdmins(handle.db);
    expect(overview.invitations).toEqual([
      expect.objectContaining({ email: "Grace@Example.com", role: "viewer", invitedBy: ada.email }),
    ]);
  });

  it("refuses to invite an admin, ignoring case, and a new invitation revokes the pending one", async () => {
    const refused = await inviteAdmin(
      handle.db,
      { email: "ADA@example.com", role: "admin" },
      { ...contextOf(ada), origin: ORIGIN },
    );
    expect(refused).toEqual({ ok: false, error: "already_admin" });

    const first = await invite("grace@example.com", "viewer");
    const second = await invite("GRACE@example.com", "admin");
    expect(await describeInvitation(handle.db, tokenOf(first.link))).toEqual({
      ok: false,
      error: "revoked",
    });
    const pending = await describeInvitation(handle.db, tokenOf(second.link));
    expect(pending.ok && pending.invitation.role).toBe("admin");
    expect((await listAdmins(handle.db)).invitations).toHaveLength(1);
  });

  it("accepting creates the admin with the invited role, signs them in and uses the link up", async () => {
    const invited = await invite("grace@example.com", "viewer");
    const accepted = await acceptInvitation(
      handle.db,
      { token: tokenOf(invited.link), password: PASSWORD },
      acceptContext,
    );
    if (!accepted.ok) throw new Error(accepted.error);
    expect(accepted.admin).toMatchObject({ email: "grace@example.com", role: "viewer" });
    const session = await findSessionAdmin(second.db, accepted.token, sessionPolicy);
    expect(session).toMatchObject({ id: accepted.admin.id, role: "viewer" });

    // The password is theirs: a normal sign-in works with it.
    const again = await signIn(
      handle.db,
      { email: "grace@example.com", password: PASSWORD },
      { ...meta, sessionHours: 1, sessionIdleMinutes: 30 },
    );
    expect(again.ok).toBe(true);

    const reused = await acceptInvitation(
      handle.db,
      { token: tokenOf(invited.link), password: PASSWORD },
      acceptContext,
    );
    expect(reused).toEqual({ ok: false, error: "used" });
    const actions = (await handle.db.select().from(auditEvents)).map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining(["admin.invited", "admin.created", "admin.invitation_accepted"]),
    );
    const created = (await handle.db.select().from(auditEvents)).find(
      (event) => event.action === "admin.created",
    );
    expect(created?.details).toEqual({
      email: "grace@example.com",
      role: "viewer",
      via: "invitation",
    });
    expect((await listAdmins(handle.db)).invitations).toEqual([]);
  });

  it("refuses expired, revoked and unknown links with their own errors, creating nobody", async () => {
    const expiring = await invite("expired@example.com");
    await handle.db
      .update(adminInvitations)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(adminInvitations.email, "expired@example.com"));
    const revoking = await invite("revoked@example.com");
    const revoked = await revokeInvitation(handle.db, revoking.invitation.id, contextOf(ada));
    expect(revoked).toEqual({ ok: true });
    expect(await revokeInvitation(handle.db, revoking.invitation.id, contextOf(ada))).toEqual({
      ok: false,
      error: "not_found",
    });

    const attempts = {
      expired: tokenOf(expiring.link),
      revoked: tokenOf(revoking.link),
      unknown: "A".repeat(43),
    };
    for (const [error, token] of Object.entries(attempts)) {
      expect(
        await acceptInvitation(handle.db, { token, password: PASSWORD }, acceptContext),
      ).toEqual({
        ok: false,
        error,
      });
      expect(await describeInvitation(handle.db, token)).toEqual({ ok: false, error });
    }
    expect(await handle.db.select().from(admins)).toHaveLength(1);
    expect((await listAdmins(handle.db)).invitations).toEqual([]);
  });

  it("refuses a link whose email became an admin meanwhile", async () => {
    const invited = await invite("grace@example.com");
    await addAdmin("adm_grace", "Grace@example.com", "viewer");
    const result = await acceptInvitation(
      handle.db,
      { token: tokenOf(invited.link), password: PASSWORD },
      acceptContext,
    );
    expect(result).toEqual({ ok: false, error: "already_admin" });
  });

  it("two accepts of one link at the same time make one admin; the other finds it used", async () => {
    const invited = await invite("grace@example.com");
    const token = tokenOf(invited.link);
    const results = await Promise.all([
      acceptInvitation(handle.db, { token, password: PASSWORD }, acceptContext),
      acceptInvitation(second.db, { token, password: PASSWORD }, acceptContext),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toEqual({ ok: false, error: "used" });
    const graces = await handle.db
      .select()
      .from(admins)
      .where(eq(admins.email, "grace@example.com"));
    expect(graces).toHaveLength(1);
  });

  it("the last owner can be neither demoted nor removed", async () => {
    const bob = await addAdmin("adm_bob", "bob@example.com", "admin");
    expect(await changeRole(handle.db, { adminId: ada.id, role: "admin" }, contextOf(ada))).toEqual(
      { ok: false, error: "last_owner" },
    );
    // Bob, made an owner and then demoted again, leaves Ada the last owner once more.
    const promoted = await changeRole(
      handle.db,
      { adminId: bob.id, role: "owner" },
      contextOf(ada),
    );
    expect(promoted).toMatchObject({ ok: true, changed: true, admin: { role: "owner" } });
    expect(
      await changeRole(handle.db, { adminId: bob.id, role: "viewer" }, contextOf(bob)),
    ).toMatchObject({
      ok: true,
    });
    // Bob, no longer an owner, can change nobody; Ada still cannot go.
    expect(await removeAdmin(handle.db, ada.id, contextOf(bob))).toEqual({
      ok: false,
      error: "actor_not_owner",
    });
    expect(await removeAdmin(handle.db, ada.id, contextOf(ada))).toEqual({
      ok: false,
      error: "self",
    });
    expect(await ownerCount()).toBe(1);

    const roleEvents = (await handle.db.select().from(auditEvents)).filter(
      (event) => event.action === "admin.role_changed",
    );
    expect(roleEvents.map((event) => event.details)).toEqual([
      { email: bob.email, from: "admin", to: "owner", invitationsRevoked: 0 },
      { email: bob.email, from: "owner", to: "viewer", invitationsRevoked: 0 },
    ]);
  });

  it("two owners demoting themselves at the same time leave one owner", async () => {
    const bob = await addAdmin("adm_bob", "bob@example.com", "owner");
    const results = await Promise.all([
      changeRole(handle.db, { adminId: ada.id, role: "admin" }, contextOf(ada)),
      changeRole(second.db, { adminId: bob.id, role: "admin" }, contextOf(bob)),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toEqual({ ok: false, error: "last_owner" });
    expect(await ownerCount()).toBe(1);
  });

  it("two owners demoting each other at the same time leave one owner", async () => {
    const bob = await addAdmin("adm_bob", "bob@example.com", "owner");
    const results = await Promise.all([
      changeRole(handle.db, { adminId: bob.id, role: "viewer" }, contextOf(ada)),
      changeRole(second.db, { adminId: ada.id, role: "viewer" }, contextOf(bob)),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    // The second, once the first committed, is by a demoted owner, or of the last owner.
    expect(results.find((result) => !result.ok)).toMatchObject({ ok: false });
    expect(await ownerCount()).toBe(1);
  });

  it("two owners removing each other at the same time leave one owner", async () => {
    const bob = await addAdmin("adm_bob", "bob@example.com", "owner");
    const results = await Promise.all([
      removeAdmin(handle.db, bob.id, contextOf(ada)),
      removeAdmin(second.db, ada.id, contextOf(bob)),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await ownerCount()).toBe(1);
  });

  it("removal ends the admin's sessions on every instance and revokes their invitations", async () => {
    const bob = await addAdmin("adm_bob", "bob@example.com", "owner");
    const { token } = await createSession(handle.db, bob.id, { ...sessionPolicy, ...meta });
    expect(await findSessionAdmin(second.db, token, sessionPolicy)).toMatchObject({ id: bob.id });
    const fromBob = await inviteAdmin(
      handle.db,
      { email: "carol@example.com", role: "admin" },
      { ...contextOf(bob), origin: ORIGIN },
    );
    if (!fromBob.ok) throw new Error(fromBob.error);

    expect(await removeAdmin(handle.db, bob.id, contextOf(ada))).toEqual({
      ok: true,
      removed: { id: bob.id, email: bob.email },
    });
    expect(await findSessionAdmin(second.db, token, sessionPolicy)).toBeNull();
    expect(
      await handle.db.select().from(adminSessions).where(eq(adminSessions.adminId, bob.id)),
    ).toEqual([]);
    expect(await describeInvitation(handle.db, tokenOf(fromBob.link))).toEqual({
      ok: false,
      error: "revoked",
    });
    const [removed] = (await handle.db.select().from(auditEvents)).filter(
      (event) => event.action === "admin.removed",
    );
    expect(removed?.details).toEqual({
      email: bob.email,
      role: "owner",
      sessionsEnded: 1,
      invitationsRevoked: 1,
    });
  });

  it("demoting an owner revokes the links they sent, and a demoted owner can no longer invite", async () => {
    const bob = await addAdmin("adm_bob", "bob@example.com", "owner");
    const fromBob = await inviteAdmin(
      handle.db,
      { email: "bob-again@example.com", role: "owner" },
      { ...contextOf(bob), origin: ORIGIN },
    );
    if (!fromBob.ok) throw new Error(fromBob.error);
    expect(
      await changeRole(handle.db, { adminId: bob.id, role: "viewer" }, contextOf(ada)),
    ).toMatchObject({ ok: true, changed: true });
    expect(await describeInvitation(handle.db, tokenOf(fromBob.link))).toEqual({
      ok: false,
      error: "revoked",
    });
    // A session read before the demotion does not carry an invitation past it.
    expect(
      await inviteAdmin(
        handle.db,
        { email: "carol@example.com", role: "owner" },
        { ...contextOf(bob), origin: ORIGIN },
      ),
    ).toEqual({ ok: false, error: "actor_not_owner" });
  });

  it("a role change is what the admin's next request sees, on another instance too", async () => {
    const bob = await addAdmin("adm_bob", "bob@example.com", "admin");
    const { token } = await createSession(handle.db, bob.id, { ...sessionPolicy, ...meta });
    expect(await findSessionAdmin(second.db, token, sessionPolicy)).toMatchObject({
      role: "admin",
    });
    await changeRole(handle.db, { adminId: bob.id, role: "viewer" }, contextOf(ada));
    expect(await findSessionAdmin(second.db, token, sessionPolicy)).toMatchObject({
      role: "viewer",
    });
  });

  it("lists admins with their role, last sign-in and two-factor state, owners first", async () => {
    await addAdmin("adm_zed", "zed@example.com", "viewer");
    await handle.db
      .update(admins)
      .set({ totpEnabledAt: sql`now()`, lastSignedInAt: sql`now()` })
      .where(eq(admins.id, ada.id));
    const overview = await listAdmins(handle.db);
    expect(
      overview.admins.map((admin) => [admin.email, admin.role, admin.twoFactorEnabled]),
    ).toEqual([
      ["ada@example.com", "owner", true],
      ["zed@example.com", "viewer", false],
    ]);
    expect(overview.admins[0]?.lastSignedInAt).toBeInstanceOf(Date);
    expect(overview.admins[1]?.lastSignedInAt).toBeNull();
    expect(Object.keys(overview.admins[0] ?? {}).sort()).toEqual(
      ["createdAt", "email", "id", "lastSignedInAt", "role", "twoFactorEnabled"].sort(),
    );
  });
});
