import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DatabaseHandle,
  migrateDatabase,
  migrationsFolder,
  openPglite,
  queryRows,
} from "./client";

/**
 * The least-privilege migration keeps what existing rows could do (docs/least-privilege.md):
 * configs that existed let every caller with the scope in, and tills that existed keep Modify on
 * every group. Replayed on a database migrated up to just before it, with rows inserted then.
 */
describe("the least-privilege migration on existing rows", () => {
  let handle: DatabaseHandle;
  let before: string;

  beforeAll(async () => {
    before = mkdtempSync(path.join(tmpdir(), "authdesk-migrations-"));
    cpSync(migrationsFolder, before, { recursive: true });
    const journalPath = path.join(before, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
    const ours = journal.entries.findIndex((entry) => entry.tag.endsWith("_least_privilege"));
    expect(ours).toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, ours);
    writeFileSync(journalPath, JSON.stringify(journal));
    handle = await openPglite();
    await migrate(handle.db as never, { migrationsFolder: before });
  });

  afterAll(async () => {
    await handle?.close();
    rmSync(before, { recursive: true, force: true });
  });

  it("sets existing configs to all, gives existing tills Modify on every group; new ones get nothing", async () => {
    await handle.db.execute(sql`
      insert into tills (id, code, name, password_hash) values ('till_old', 'old', 'Old', 'x')`);
    await handle.db.execute(sql`
      insert into auth_configs (id, identifier, type, token_url_sealed, scope_sealed,
        client_id_sealed, client_secret_sealed, auth_method, created_by_label)
      values ('cfg_old', 'old', 'oauth2_client_credentials', 'x', 'x', 'x', 'x',
        'client_secret_basic', 'test')`);

    await migrateDatabase(handle);

    expect(
      await queryRows(handle.db, sql`select id, api_access, api_access_tills from auth_configs`),
    ).toEqual([{ id: "cfg_old", api_access: "all", api_access_tills: false }]);
    const grants = await queryRows<{ group_id: string; level: string }>(
      handle.db,
      sql`select group_id, level from till_permissions where till_id = 'till_old' order by group_id`,
    );
    const groups = await queryRows<{ id: string }>(
      handle.db,
      sql`select id from api_groups order by id`,
    );
    expect(grants).toEqual(groups.map((group) => ({ group_id: group.id, level: "write" })));

    await handle.db.execute(sql`
      insert into tills (id, code, name, password_hash) values ('till_new', 'new', 'New', 'x')`);
    await handle.db.execute(sql`
      insert into auth_configs (id, identifier, type, token_url_sealed, scope_sealed,
        client_id_sealed, client_secret_sealed, auth_method, created_by_label)
      values ('cfg_new', 'new', 'oauth2_client_credentials', 'x', 'x', 'x', 'x',
        'client_secret_basic', 'test')`);
    expect(
      await queryRows(handle.db, sql`select api_access from auth_configs where id = 'cfg_new'`),
    ).toEqual([{ api_access: "selected" }]);
    expect(
      await queryRows(handle.db, sql`select 1 from till_permissions where till_id = 'till_new'`),
    ).toEqual([]);
  });
});
