import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { apiClients, auditEvents, authConfigs } from "@/db/schema";
import { insertClient, insertTill } from "@/lib/api/api.testing";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  checkAuthConfigAccess,
  createAuthConfigAccessChecker,
  setAuthConfigAccess,
} from "./access";
import { getAuthConfig, replaceAuthConfig } from "./service";
import { insertTestAdmin, seedConfig, testKeyring } from "./token-broker.testing";

const keyring = testKeyring();

describe.each(testDrivers)("auth config API access on %s", (driver) => {
  let handle: DatabaseHandle;
  let context: Parameters<typeof setAuthConfigAccess>[3];
  let seedAdmin: { id: string; label: string };

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    seedAdmin = await insertTestAdmin(handle.db);
    context = { actor: { type: "admin", ...seedAdmin }, clientAddress: "192.0.2.10" };
  });
  afterAll(() => handle?.close());

  const seed = (identifier: string) =>
    seedConfig(handle.db, keyring, seedAdmin, {
      identifier,
      tokenUrl: "https://auth.example.com/oauth/token",
      clientId: "client",
      clientSecret: "secret",
    });

  it("lets nobody in to a new config, then exactly whom the admin chose, audited", async () => {
    const id = await seed("Payments");
    const till = await insertTill(handle.db);
    const chosen = await insertClient(handle.db, { tillId: till.id });
    const other = await insertClient(handle.db, { tillId: till.id });
    const as = (clientId: string) =>
      checkAuthConfigAccess(handle.db, "payments", { kind: "client", clientId });

    expect((await getAuthConfig(handle.db, keyring, id))?.apiAccess).toEqual({
      mode: "selected",
      tills: false,
      clients: [],
    });
    expect(await as(chosen.id)).toBe("forbidden");
    expect(await checkAuthConfigAccess(handle.db, "PAYMENTS", { kind: "till" })).toBe("forbidden");

    const saved = await setAuthConfigAccess(
      handle.db,
      id,
      { mode: "selected", clientIds: [chosen.id, chosen.id], tills: true },
      context,
    );
    expect(saved).toEqual({
      ok: true,
      access: {
        mode: "selected",
        tills: true,
        clients: [{ id: chosen.id, name: `Client ${chosen.id}`, clientKey: chosen.clientKey }],
      },
    });
    expect(await as(chosen.id)).toBe("allowed");
    expect(await as(other.id)).toBe("forbidden");
    expect(await checkAuthConfigAccess(handle.db, "payments", { kind: "till" })).toBe("allowed");

    await setAuthConfigAccess(handle.db, id, { mode: "all" }, context);
    expect(await as(other.id)).toBe("allowed");
    expect((await getAuthConfig(handle.db, keyring, id))?.apiAccess).toEqual({
      mode: "all",
      tills: false,
      clients: [],
    });

    const events = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "auth_config.api_access_changed"))
      .orderBy(auditEvents.id);
    expect(events.map((event) => [event.targetId, event.actorLabel, event.details])).toEqual([
      [id, seedAdmin.label, { mode: "selected", clients: 1, tills: true }],
      [id, seedAdmin.label, { mode: "all", clients: 0, tills: false }],
    ]);
  });

  it("drops a deleted client from the list, and refuses an unknown client or config", async () => {
    const id = await seed("ledger");
    const till = await insertTill(handle.db);
    const client = await insertClient(handle.db, { tillId: till.id });
    await setAuthConfigAccess(handle.db, id, { mode: "selected", clientIds: [client.id] }, context);
    await handle.db.delete(apiClients).where(eq(apiClients.id, client.id));
    expect((await getAuthConfig(handle.db, keyring, id))?.apiAccess.clients).toEqual([]);

    const gone = { mode: "selected" as const, clientIds: [client.id] };
    expect(await setAuthConfigAccess(handle.db, id, gone, context)).toEqual({
      ok: false,
      error: "unknown_client",
    });
    expect(await setAuthConfigAccess(handle.db, "cfg_missing", { mode: "all" }, context)).toEqual({
      ok: false,
      error: "not_found",
    });
    expect(
      await checkAuthConfigAccess(handle.db, "no-such", { kind: "client", clientId: client.id }),
    ).toBe("not_found");
    // The config itself is untouched by access changes: still immutable.
    const [row] = await handle.db.select().from(authConfigs).where(eq(authConfigs.id, id));
    expect(row?.identifier).toBe("ledger");
  });

  it("hands the access list on when the config is replaced under its identifier", async () => {
    const id = await seed("Rotated");
    const till = await insertTill(handle.db);
    const chosen = await insertClient(handle.db, { tillId: till.id });
    await setAuthConfigAccess(
      handle.db,
      id,
      { mode: "selected", clientIds: [chosen.id], tills: true },
      context,
    );
    const replaced = await replaceAuthConfig(
      handle.db,
      keyring,
      { forget: () => {} },
      id,
      {
        identifier: "Rotated",
        tokenUrl: "https://auth.example.com/oauth/token",
        scope: "",
        clientId: "client",
        clientSecret: "the new upstream secret",
        authMethod: "client_secret_basic",
        audience: undefined,
        description: undefined,
      },
      context,
    );
    expect(replaced.ok && replaced.config.apiAccess).toEqual({
      mode: "selected",
      tills: true,
      clients: [{ id: chosen.id, name: `Client ${chosen.id}`, clientKey: chosen.clientKey }],
    });
    expect(
      await checkAuthConfigAccess(handle.db, "rotated", { kind: "client", clientId: chosen.id }),
    ).toBe("allowed");
    expect(await checkAuthConfigAccess(handle.db, "rotated", { kind: "till" })).toBe("allowed");
  });

  it("answers concurrent checks in one batch each as the single check would", async () => {
    const open = await seed("Batch-Open");
    const closed = await seed("batch-closed");
    const till = await insertTill(handle.db);
    const chosen = await insertClient(handle.db, { tillId: till.id });
    const other = await insertClient(handle.db, { tillId: till.id });
    await setAuthConfigAccess(handle.db, open, { mode: "all" }, context);
    await setAuthConfigAccess(
      handle.db,
      closed,
      { mode: "selected", clientIds: [chosen.id] },
      context,
    );
    const questions = [
      ["batch-open", { kind: "till" }],
      ["BATCH-CLOSED", { kind: "client", clientId: chosen.id }],
      ["batch-closed", { kind: "client", clientId: other.id }],
      ["batch-closed", { kind: "till" }],
      ["no-such-config", { kind: "client", clientId: chosen.id }],
    ] as const;
    const check = createAuthConfigAccessChecker(handle.db);
    // Submitted in one turn of the event loop, so they go as one statement.
    const batched = await Promise.all(questions.map(([name, caller]) => check(name, caller)));
    expect(batched).toEqual(["allowed", "allowed", "forbidden", "forbidden", "not_found"]);
    for (const [index, [name, caller]] of questions.entries()) {
      expect(await checkAuthConfigAccess(handle.db, name, caller)).toBe(batched[index]);
    }
  });
});
