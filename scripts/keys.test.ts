import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openPglite, queryRows } from "@/db/client";
import { insertTestAdmin, seedConfig } from "@/lib/auth-configs/token-broker.testing";
import { generateKeyEntry, KEY_FILE_NAME, parseKeyring } from "@/lib/crypto";

const dataDir = mkdtempSync(path.join(tmpdir(), "authdesk-keys-"));
const pgliteDir = path.join(dataDir, "pglite");
const keyFile = path.join(dataDir, KEY_FILE_NAME);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function keysRotate() {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", "./scripts/server-only-hook.mjs", "scripts/keys.ts", "rotate"],
    {
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env.PATH, NODE_ENV: "production", AUTHDESK_DATA_DIR: dataDir },
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** How often `needle` occurs in the bytes of every file under `directory`. */
function occurrencesUnder(directory: string, needle: string): number {
  let count = 0;
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const bytes = readFileSync(path.join(entry.parentPath, entry.name));
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) count += 1;
  }
  return count;
}

// Each run is a child process that boots tsx and opens the embedded database; on a loaded
// machine that takes a while, so the tests may too.
describe("npm run keys:rotate on the embedded database", { timeout: 90_000 }, () => {
  beforeAll(async () => {
    const v1 = generateKeyEntry(1);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(keyFile, `${v1}\n`, { mode: 0o600 });
    const handle = await openPglite(pgliteDir);
    try {
      await migrateDatabase(handle);
      const keyring = parseKeyring(v1);
      const admin = await insertTestAdmin(handle.db);
      for (let index = 0; index < 20; index += 1) {
        await seedConfig(handle.db, keyring, admin, {
          identifier: `config-${index}`,
          tokenUrl: "https://auth.example.com/token",
          clientId: `client-${index}`,
          clientSecret: `secret-${index}`,
        });
      }
      // Deleted rows (config-1 and config-10 to 19) leave old row versions too.
      await handle.db.execute(sql`delete from auth_configs where identifier like 'config-1%'`);
    } finally {
      await handle.close();
    }
    appendFileSync(keyFile, `${generateKeyEntry(2)}\n`);
  });

  it("refuses in one line while the app holds the database", async () => {
    const app = await openPglite(pgliteDir);
    try {
      const run = keysRotate();
      expect(run.status).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n")).toEqual([
        `The embedded database in ${pgliteDir} is in use by process ${process.pid} (the app?): stop the app, then run this command again.`,
      ]);
    } finally {
      await app.close();
    }
  });

  it("leaves no ciphertext of the old key in the data directory's files, and says when the key may go", async () => {
    // The test can see them: old row versions and the write-ahead log hold plenty.
    expect(occurrencesUnder(pgliteDir, "ad1.1.")).toBeGreaterThan(80);

    const before = Date.now();
    const run = keysRotate();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // Not "may now be removed": tokens signed under the old key live up to a day.
    const line = run.stdout.split("\n").find((text) => text.startsWith("Key version 1 may be"));
    const safeAt = Date.parse(/removed from (\S+) on/.exec(line ?? "")?.[1] ?? "");
    expect(safeAt).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
    expect(safeAt).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
    expect(run.stdout).toContain("Total: 36 re-encrypted under key version 2");
    expect(run.stdout).toContain("Backups taken before now still hold the old ciphertexts.");

    expect(occurrencesUnder(pgliteDir, "ad1.1.")).toBe(0);
    expect(occurrencesUnder(pgliteDir, "ad1.2.")).toBeGreaterThan(0);
    const handle = await openPglite(pgliteDir);
    try {
      const [row] = await queryRows<{ live: number }>(
        handle.db,
        sql`select count(*)::int as live from auth_configs where client_secret_sealed like 'ad1.2.%'`,
      );
      expect(row?.live).toBe(9);
    } finally {
      await handle.close();
    }
  });

  it("stops at a value that does not open, naming its row and what to do", async () => {
    const handle = await openPglite(pgliteDir);
    try {
      await handle.db.execute(
        sql`update auth_configs set client_secret_sealed = 'ad1.2.AAAA' where identifier = 'config-2'`,
      );
    } finally {
      await handle.close();
    }
    appendFileSync(keyFile, `${generateKeyEntry(3)}\n`);
    const run = keysRotate();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Cannot open sealed value for auth_configs.client_secret_sealed");
    expect(run.stderr).toContain("Add the key that sealed it to the configured keys, or delete");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
