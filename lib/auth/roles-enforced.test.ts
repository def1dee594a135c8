import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Database, queryRows } from "@/db/client";
import type { Role } from "@/lib/auth/roles";
import type { ExportedServerAction } from "@/lib/forms/server-actions.testing";
import { runOnServer, testDrivers } from "@/lib/testing/databases";

// Actions read the request through next/headers, which works only inside Next's request
// handling; the stand-in serves the session cookie. Everything behind it is the real code.
vi.mock(
  "next/headers",
  async () => (await import("@/lib/forms/server-actions.testing")).nextHeadersStub,
);

/*
 * The server refuses what a role may not do, whatever the browser sends. Every exported server
 * action, found from the code, is called as a real Viewer (a real admin row and session): each
 * must answer `forbidden: true`, with junk and with well-formed arguments that would work for an
 * Admin, and change nothing. The only exceptions are the two lists below, each entry with its
 * reason, so an action added without `refuseUnless` fails here until someone decides which it is.
 */

/** Reads: change nothing and record no change, so every signed-in role may call them. */
const READS = [
  // Who has access and who is invited: a Viewer reads everything an admin can read.
  "app/(console)/admins/actions.ts#listAdminsAction",
  "app/(console)/audit/actions.ts#listAuditEventsAction",
  "app/(console)/audit/actions.ts#searchAuditActorsAction",
  "app/(console)/auth-configs/actions.ts#listAuthConfigsAction",
  "app/(console)/auth-configs/actions.ts#getAuthConfigAction",
  "app/(console)/api-clients/actions.ts#listApiClientsAction",
  "app/(console)/api-clients/actions.ts#getApiClientAction",
  // The access lists' picker: names and keys of API clients, which the list shows anyway.
  "app/(console)/api-clients/actions.ts#searchAccessCandidatesAction",
  "app/(console)/integrations/actions.ts#listIntegrationsAction",
  "app/(console)/integrations/actions.ts#getIntegrationAction",
  "app/(console)/integrations/actions.ts#listConnectionsAction",
  "app/(console)/settings/actions.ts#getSettingsAction",
  "app/(console)/settings/actions.ts#listTillsAction",
  "app/(console)/settings/actions.ts#listApiGroupsAction",
  // What deleting a group would take with it, read before the confirmation; deletes nothing.
  "app/(console)/settings/actions.ts#describeApiGroupDeletionAction",
];

/** Not about an admin's role at all: whoever calls them is not (yet) a signed-in admin. */
const NOT_ROLE_GATED = [
  // Signing in and the first admin's set-up: the caller has no session, so no role.
  "app/(auth)/actions.ts#signInAction",
  "app/(auth)/actions.ts#setupAction",
  // Ends the caller's own session: every role may sign out.
  "app/(auth)/actions.ts#signOutAction",
  // The invitee sets a password on the link's page: no session yet, the link's token is the key.
  "app/(auth)/invite/[token]/actions.ts#acceptInvitationAction",
  // The second sign-in step: no session yet, the password step's challenge cookie is the key.
  "app/(auth)/login/two-factor/actions.ts#secondFactorAction",
  // The end user's hosted connect page, authenticated by its single-use connect token.
  "app/connect/actions.ts#connectWithValuesAction",
  "app/connect/actions.ts#startOAuthAction",
];

/**
 * The caller's own account, which every role manages for itself: its password, its sessions and
 * its two-factor sign-in. They act only on the signed-in admin's own row, never on another's.
 */
const SELF_SERVICE = [
  "app/(console)/account/actions.ts#changePasswordAction",
  "app/(console)/account/actions.ts#listSessionsAction",
  "app/(console)/account/actions.ts#revokeSessionAction",
  "app/(console)/account/actions.ts#signOutEverywhereAction",
  "app/(console)/account/two-factor/actions.ts#getTwoFactorStatusAction",
  "app/(console)/account/two-factor/actions.ts#confirmTwoFactorAction",
  "app/(console)/account/two-factor/actions.ts#regenerateRecoveryCodesAction",
  "app/(console)/account/two-factor/actions.ts#disableTwoFactorAction",
];

/** Organisation-wide changes only an Owner may make; everything else gated needs an Admin. */
const OWNER_ONLY = [
  "app/(console)/admins/actions.ts#inviteAdminAction",
  "app/(console)/admins/actions.ts#revokeInvitationAction",
  "app/(console)/admins/actions.ts#changeAdminRoleAction",
  "app/(console)/admins/actions.ts#removeAdminAction",
  "app/(console)/settings/actions.ts#setBasicAuthEnabledAction",
  "app/(console)/settings/actions.ts#setTwoFactorRequirementAction",
];

/** Junk of every shape: a check placed after the parsing would answer a field error instead. */
function junkArguments(): unknown[][] {
  return [
    [],
    [null],
    ["x"],
    [42, true],
    [{}, {}],
    [{ id: "x", enabled: "yes", mode: "all" }],
    [new FormData()],
  ];
}

/** What the Owner made first, so the well-formed arguments name real records. */
interface Seed {
  groupId: string;
  tillId: string;
  clientId: string;
  configId: string;
  integrationId: string;
  serviceIntegrationId: string;
  connectionId: string;
  auditCursor: string;
  invitationId: string;
  /** The Viewer, whom a well-formed call tries to make an owner. */
  viewerId: string;
  /** An admin of no importance, whom a well-formed call tries to remove. */
  spareId: string;
}

const TOKEN_URL = "http://127.0.0.1:9/oauth/token";

function authConfigInput(identifier: string) {
  return {
    identifier,
    tokenUrl: TOKEN_URL,
    scope: "orders:read",
    clientId: "authdesk",
    clientSecret: "upstream-secret",
    authMethod: "client_secret_basic",
  };
}

const API_KEY_FIELD = { slug: "api_key", label: "API key", type: "PASSWORD", required: true };

/**
 * Arguments an Admin's console would send, by action name: each would succeed (or fail on the
 * record's state) if the role check were missing. Actions without an entry get junk only.
 */
function wellFormedArguments(seed: Seed): Record<string, unknown[]> {
  return {
    listAuthConfigsAction: [{}],
    getAuthConfigAction: [seed.configId],
    createAuthConfigAction: [authConfigInput("made-by-a-viewer")],
    replaceAuthConfigAction: [seed.configId, authConfigInput("orders-api")],
    deleteAuthConfigAction: [seed.configId],
    testAuthConfigAction: [seed.configId],
    setAuthConfigAccessAction: [
      seed.configId,
      { mode: "selected", clientIds: [seed.clientId], tills: true },
    ],
    listApiClientsAction: [{}],
    getApiClientAction: [seed.clientId],
    registerApiClientAction: [
      { name: "Made by a viewer", tokenTtlMinutes: 60, permissions: {}, tillId: seed.tillId },
    ],
    deleteApiClientAction: [{ id: seed.clientId }],
    rollApiClientSecretAction: [{ id: seed.clientId, gracePeriod: "1h" }],
    expireOldApiClientSecretAction: [{ id: seed.clientId }],
    revokeApiClientTokensAction: [{ id: seed.clientId }],
    searchAccessCandidatesAction: [""],
    listIntegrationsAction: [{}],
    getIntegrationAction: [seed.integrationId],
    createIntegrationAction: [{ name: "Made by a viewer", description: "" }],
    deleteIntegrationAction: [seed.integrationId],
    updateIntegrationAuthAction: [
      seed.integrationId,
      { authType: "API_KEY", authFields: [API_KEY_FIELD], authTestCode: null },
    ],
    testAuthCodeAction: [
      seed.serviceIntegrationId,
      { code: "return { ok: true };", fields: [API_KEY_FIELD], values: { api_key: "sample" } },
    ],
    listConnectionsAction: [seed.serviceIntegrationId],
    saveServiceConnectionAction: [seed.serviceIntegrationId, { api_key: "another-key" }],
    deleteConnectionAction: [seed.serviceIntegrationId, seed.connectionId],
    setApiAccessAction: [
      seed.integrationId,
      { mode: "selected", clientIds: [seed.clientId], tills: true },
    ],
    setConnectReturnUrlsAction: [seed.integrationId, []],
    createConnectLinkAction: [seed.integrationId, { endUserId: "end-user-1" }],
    getSettingsAction: [],
    setBasicAuthEnabledAction: [{ enabled: false }],
    setTwoFactorRequirementAction: [{ required: true }],
    listTillsAction: [{}],
    createTillAction: [
      { code: "made-by-viewer", name: "Viewer's till", password: "a long enough password" },
    ],
    deleteTillAction: [{ id: seed.tillId }],
    listApiGroupsAction: [],
    createApiGroupAction: [{ name: "Stock", slug: "stock" }],
    describeApiGroupDeletionAction: [{ id: seed.groupId }],
    deleteApiGroupAction: [{ id: seed.groupId }],
    listAuditEventsAction: [{ cursor: seed.auditCursor }],
    searchAuditActorsAction: ["owner"],
    listAdminsAction: [],
    inviteAdminAction: [{ email: "invited-by-a-viewer@example.com", role: "owner" }],
    revokeInvitationAction: [{ id: seed.invitationId }],
    changeAdminRoleAction: [{ adminId: seed.viewerId, role: "owner" }],
    removeAdminAction: [{ adminId: seed.spareId }],
  };
}

/** Each call's arguments: junk first, then the well-formed ones when there are any. */
function argumentSets(name: string, seed: Seed): unknown[][] {
  const wellFormed = wellFormedArguments(seed)[name];
  return wellFormed ? [...junkArguments(), wellFormed] : junkArguments();
}

function isRefusal(answer: unknown): boolean {
  return (answer as { forbidden?: unknown } | null)?.forbidden === true;
}

describe.each(testDrivers)("the roles, enforced by every server action, on %s", (driver) => {
  const serverUrl = process.env.DATABASE_URL;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "authdesk-roles-"));
  const databaseName = `authdesk_test_${randomBytes(6).toString("hex")}`;
  let db: Database;
  let actions: ExportedServerAction[];
  let seed: Seed;
  const tokens = {} as Record<Role, string>;
  const adminIds = {} as Record<Role | "spare", string>;
  let signInAs: (role: Role) => void;
  let stopRuntime: () => Promise<void>;

  beforeAll(async () => {
    // A runtime of its own for each driver: env() is read once per module instance, so the
    // modules are loaded afresh after the environment names this driver's database.
    vi.resetModules();
    let databaseUrl = "";
    if (driver === "postgres" && serverUrl) {
      await runOnServer(serverUrl, `create database ${databaseName}`);
      const url = new URL(serverUrl);
      url.pathname = `/${databaseName}`;
      databaseUrl = url.toString();
    }
    process.env.DATABASE_URL = databaseUrl;
    process.env.AUTHDESK_DATA_DIR = dataDir;
    process.env.AUTHDESK_ENCRYPTION_KEYS = `1:${randomBytes(32).toString("base64")}`;
    // The auth config's token URL is a closed loopback port: a Test that got through would fail
    // fast instead of reaching the internet.
    process.env.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS = "true";

    const runtime = await import("@/lib/runtime");
    const testing = await import("@/lib/forms/server-actions.testing");
    const { sessionCookieName } = await import("@/lib/auth/session-cookie");
    const { createSession } = await import("@/lib/auth/sessions");
    const { createAdmin } = await import("@/lib/auth/service");
    stopRuntime = runtime.stopRuntime;
    db = (await runtime.startRuntime(() => {})).database.db;
    actions = await testing.exportedServerActions();
    const [current] = await queryRows<{ database: string }>(
      db,
      sql`select current_database() as database`,
    );
    // On PGlite the database is called "postgres"; on PostgreSQL, the one made for this file.
    expect(current?.database).toBe(driver === "postgres" ? databaseName : "postgres");

    for (const role of ["owner", "admin", "viewer", "spare"] as const) {
      const created = await createAdmin(
        db,
        {
          email: `${role}@example.com`,
          password: "a long enough password",
          role: role === "spare" ? "viewer" : role,
        },
        { actor: { type: "system", label: "test" }, via: "cli", firstOnly: false },
      );
      if (!created.ok) throw new Error(`could not create the ${role}: ${created.error}`);
      adminIds[role] = created.admin.id;
      if (role === "spare") continue;
      const session = await createSession(db, created.admin.id, {
        lifetimeHours: 1,
        idleMinutes: 30,
        clientAddress: null,
        userAgent: "vitest",
      });
      tokens[role] = session.token;
    }
    // Through the mocked next/headers the actions see: after resetModules, the stand-in may be
    // another instance than `testing`'s. The request is plain http: no __Host- prefix.
    const jar = await (await import("next/headers")).cookies();
    signInAs = (role) => jar.set(sessionCookieName(false), tokens[role]);

    signInAs("owner");
    seed = {
      ...(await seedAsOwner(actions, db)),
      viewerId: adminIds.viewer,
      spareId: adminIds.spare,
    };
    // Four password hashes, migrations and a dozen audited changes: slow on a loaded machine.
  }, 180_000);

  afterAll(async () => {
    await stopRuntime?.();
    if (driver === "postgres" && serverUrl) {
      await runOnServer(serverUrl, `drop database if exists ${databaseName} with (force)`);
    }
    process.env.DATABASE_URL = serverUrl ?? "";
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("the allow-lists name real actions, and the list of actions is found from the code", () => {
    const labels = actions.map((entry) => entry.label);
    for (const label of [...READS, ...NOT_ROLE_GATED, ...SELF_SERVICE, ...OWNER_ONLY]) {
      expect(labels, `${label} is allow-listed but not exported`).toContain(label);
    }
    expect(labels.length).toBeGreaterThan(30);
  });

  it("refuses a Viewer every action outside the allow-lists, and the refusals change nothing", async () => {
    signInAs("viewer");
    const before = await fingerprint(db);
    const notRefused: string[] = [];
    for (const { label, name, action } of actions) {
      if (READS.includes(label) || NOT_ROLE_GATED.includes(label) || SELF_SERVICE.includes(label))
        continue;
      for (const args of argumentSets(name, seed)) {
        const answer = await callAction(action, args);
        if (!isRefusal(answer)) {
          notRefused.push(`${label}(${describeArgs(args)}) → ${JSON.stringify(answer)}`);
        }
      }
    }
    expect(notRefused, "add refuseUnless right after requireAdmin()").toEqual([]);
    // The audit log is one of the tables: not a row was written, nor anything else changed.
    expect(await fingerprint(db)).toEqual(before);
  });

  it("answers a Viewer's reads, and reading changes nothing", async () => {
    signInAs("viewer");
    const before = await fingerprint(db);
    const byLabel = new Map(actions.map((entry) => [entry.label, entry]));
    for (const label of READS) {
      const entry = byLabel.get(label);
      if (!entry) throw new Error(`${label} is not exported`);
      const answer = await callAction(entry.action, wellFormedArguments(seed)[entry.name] ?? []);
      expect(answer, label).toMatchObject({ ok: true });
    }
    expect(await fingerprint(db)).toEqual(before);
  });

  it("lets a Viewer see their own account: its sessions and two-factor status", async () => {
    signInAs("viewer");
    const byLabel = new Map(actions.map((entry) => [entry.label, entry]));
    for (const label of [
      "app/(console)/account/actions.ts#listSessionsAction",
      "app/(console)/account/two-factor/actions.ts#getTwoFactorStatusAction",
    ]) {
      const entry = byLabel.get(label);
      if (!entry) throw new Error(`${label} is not exported`);
      expect(await callAction(entry.action, []), label).toMatchObject({ ok: true });
    }
  });

  it("refuses an Admin the owner-only actions, and changes nothing", async () => {
    signInAs("admin");
    const before = await fingerprint(db);
    for (const { label, name, action } of actions.filter((entry) =>
      OWNER_ONLY.includes(entry.label),
    )) {
      for (const args of argumentSets(name, seed)) {
        expect(isRefusal(await callAction(action, args)), label).toBe(true);
      }
    }
    expect(await fingerprint(db)).toEqual(before);
  });

  it("lets an Admin create, change and delete: no Admin action refuses them", async () => {
    signInAs("admin");
    const created = await callByName(actions, "createIntegrationAction", [
      { name: "Made by an admin", description: "" },
    ]);
    expect(created).toMatchObject({ ok: true, integration: { name: "Made by an admin" } });
    const refused = await refusedWithWellFormedArguments(actions, seed, (label) =>
      OWNER_ONLY.includes(label),
    );
    expect(refused).toEqual([]);
  });

  it("lets an Owner do everything, the owner-only actions included", async () => {
    signInAs("owner");
    const changed = await callByName(actions, "setBasicAuthEnabledAction", [{ enabled: false }]);
    expect(changed).toMatchObject({ ok: true, settings: { basicAuthEnabled: false } });
    expect(await refusedWithWellFormedArguments(actions, seed, () => false)).toEqual([]);
  });
});

/** The Owner makes one of each record through the actions themselves: Owners may. */
async function seedAsOwner(
  actions: ExportedServerAction[],
  db: Database,
): Promise<Omit<Seed, "viewerId" | "spareId">> {
  const call = async <Answer>(name: string, ...args: unknown[]) => {
    const answer = await callByName(actions, name, args);
    expect(answer, name).toMatchObject({ ok: true });
    return answer as Answer;
  };
  const { group } = await call<{ group: { id: string } }>("createApiGroupAction", {
    name: "Orders",
    slug: "orders",
  });
  const { till } = await call<{ till: { id: string } }>("createTillAction", {
    code: "front-desk",
    name: "Front desk",
    password: "a long enough password",
    permissions: { [group.id]: "read" },
  });
  const { client } = await call<{ client: { id: string } }>("registerApiClientAction", {
    name: "Billing",
    tokenTtlMinutes: 60,
    permissions: { [group.id]: "write" },
    tillId: till.id,
  });
  // Rolled with a grace period, so "expire old secret" has an old secret to expire.
  await call("rollApiClientSecretAction", { id: client.id, gracePeriod: "7d" });
  const { config } = await call<{ config: { id: string } }>(
    "createAuthConfigAction",
    authConfigInput("orders-api"),
  );
  const { integration } = await call<{ integration: { id: string } }>("createIntegrationAction", {
    name: "Acme CRM",
    description: "",
  });
  await call("setConnectReturnUrlsAction", integration.id, ["https://app.example.com/done"]);
  const service = await call<{ integration: { id: string } }>("createIntegrationAction", {
    name: "Shared mailbox",
    description: "",
  });
  const serviceIntegrationId = service.integration.id;
  await call("updateIntegrationAuthAction", serviceIntegrationId, {
    authType: "SERVICE_ACCOUNT",
    authFields: [API_KEY_FIELD],
  });
  const { connection } = await call<{ connection: { id: string } }>(
    "saveServiceConnectionAction",
    serviceIntegrationId,
    { api_key: "service-key" },
  );
  await call("setBasicAuthEnabledAction", { enabled: true });
  const { invitation } = await call<{ invitation: { id: string } }>("inviteAdminAction", {
    email: "invited@example.com",
    role: "viewer",
  });
  const { listAuditEvents } = await import("@/lib/audit/service");
  const page = await listAuditEvents(db, { limit: 1 });
  if (!page.ok || !page.nextCursor) throw new Error("the seed should have left audit events");
  return {
    groupId: group.id,
    tillId: till.id,
    clientId: client.id,
    configId: config.id,
    integrationId: integration.id,
    serviceIntegrationId,
    connectionId: connection.id,
    auditCursor: page.nextCursor,
    invitationId: invitation.id,
  };
}

/**
 * Every role-gated action with a well-formed call, except `skip`'s: the ones that refused, or
 * threw (a redirect to sign-in would make every later call pass without testing anything).
 */
async function refusedWithWellFormedArguments(
  actions: ExportedServerAction[],
  seed: Seed,
  skip: (label: string) => boolean,
): Promise<string[]> {
  const refused: string[] = [];
  const wellFormed = wellFormedArguments(seed);
  for (const { label, name, action } of actions) {
    if (READS.includes(label) || NOT_ROLE_GATED.includes(label) || SELF_SERVICE.includes(label))
      continue;
    if (skip(label)) continue;
    // Deletions run too: what they find gone answers "not found", which is not a refusal.
    const answer = await callAction(action, wellFormed[name] ?? []);
    if (isRefusal(answer) || (answer as { threw?: string }).threw) {
      refused.push(`${label} → ${JSON.stringify(answer)}`);
    }
  }
  return refused;
}

async function callByName(
  actions: ExportedServerAction[],
  name: string,
  args: unknown[],
): Promise<unknown> {
  const entry = actions.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`${name} is not exported`);
  return callAction(entry.action, args);
}

/** A throw (a 500, or a redirect to sign-in) is an answer too, and never a refusal. */
async function callAction(
  action: ExportedServerAction["action"],
  args: unknown[],
): Promise<unknown> {
  try {
    return await action(...args);
  } catch (error) {
    return { threw: String(error).slice(0, 200) };
  }
}

function describeArgs(args: unknown[]): string {
  return args.map((arg) => (arg instanceof FormData ? "FormData" : JSON.stringify(arg))).join(", ");
}

/**
 * Every table's row count and, except for sessions (reading one records when it was last seen),
 * a digest of its rows: equal fingerprints mean nothing was created, changed or deleted.
 */
async function fingerprint(db: Database): Promise<Record<string, string>> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await queryRows<{ count: string; digest: string | null }>(
      db,
      name === "admin_sessions"
        ? sql`select count(*)::text as count, null as digest from admin_sessions`
        : sql`select count(*)::text as count,
                md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
              from ${sql.identifier(name)} t`,
    );
    result[name] = `${row?.count}:${row?.digest}`;
  }
  expect(Object.keys(result)).toEqual(
    expect.arrayContaining(["audit_events", "auth_configs", "api_clients", "integrations"]),
  );
  return result;
}
