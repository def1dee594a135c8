import path from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import {
  type DatabaseHandle,
  DataDirInUseError,
  type Driver,
  migrateDatabase,
  openPglite,
  openPostgres,
  queryRows,
} from "@/db/client";
import { TOKEN_TTL_MINUTES } from "@/lib/api-clients/schema";
import {
  type CompactionResult,
  compactSealedTables,
  generateKeyEntry,
  KeyringError,
  loadKeyring,
  rotateSealedColumns,
  SealError,
} from "@/lib/crypto";
import { EnvError, parseEnv } from "@/lib/env";

const usage = `Usage:
  npm run keys:generate [-- --version N]
      Print a new key entry "<version>:<base64 key>" (version 1 unless given).

  npm run keys:rotate
      Re-encrypt every sealed value under the newest configured key version, then rewrite the
      tables that hold them (VACUUM FULL, CHECKPOINT) so old ciphertexts leave the database's
      files. With the embedded database (no DATABASE_URL), stop the app first: PGlite must not
      be opened by two processes on the same data directory.

Rotating keys:
  1. npm run keys:generate -- --version <highest version + 1>
  2. Add that line to AUTHDESK_ENCRYPTION_KEYS (or to the key file in AUTHDESK_DATA_DIR),
     keeping the older entries, and restart the app: new values are sealed with it.
  3. npm run keys:rotate
  4. Remove the older entries a day later at the earliest (the time is printed): access
     tokens live up to a day, and those signed under an older key stop working when it goes.`;

/** A mistake in how the command was called: print it with the usage, no stack trace. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "generate":
      return generate(rest);
    case "rotate":
      return rotate(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(usage);
      return;
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

function generate(args: string[]): void {
  const { values } = parseOptions(args, { version: { type: "string", default: "1" } });
  const version = Number(values.version);
  if (!/^[1-9][0-9]*$/.test(values.version) || !Number.isSafeInteger(version)) {
    throw new UsageError("--version must be a positive integer.");
  }
  // Only the entry goes to stdout, so `npm run -s keys:generate >> keys` captures just that.
  console.log(generateKeyEntry(version));
  console.error(
    "Add this line to AUTHDESK_ENCRYPTION_KEYS or the key file in AUTHDESK_DATA_DIR (comma- or newline-separated, keeping older versions) and back it up.",
  );
}

async function rotate(args: string[]): Promise<void> {
  parseOptions(args, {});
  const env = parseEnv(process.env);
  const keyring = loadKeyring({
    configured: env.AUTHDESK_ENCRYPTION_KEYS,
    dataDir: env.AUTHDESK_DATA_DIR,
    embedded: !env.DATABASE_URL,
    log: (message) => console.error(message),
  });
  const handle = await openDatabase(
    env.DATABASE_URL,
    env.AUTHDESK_DATA_DIR,
    env.DATABASE_POOL_SIZE,
  );
  try {
    await migrateDatabase(handle);
    const results = await rotateSealedColumns(handle.db, keyring);
    const version = keyring.currentVersion;
    if (results.length === 0) console.log("No sealed columns are registered.");
    for (const { table, column, reencrypted } of results) {
      console.log(`${table}.${column}: ${reencrypted} re-encrypted under key version ${version}`);
    }
    const total = results.reduce((sum, result) => sum + result.reencrypted, 0);
    console.log(`Total: ${total} re-encrypted under key version ${version}`);
    reportCompaction(await compactSealedTables(handle), handle.driver);
    reportWhenOldKeysMayGo(keyring.versions, version, await databaseNow(handle));
  } finally {
    await handle.close();
  }
}

/** Token lifetimes run on the database's clock, so the time old keys may go does too. */
async function databaseNow(handle: DatabaseHandle): Promise<Date> {
  const [row] = await queryRows<{ ms: number }>(
    handle.db,
    sql`select (extract(epoch from now()) * 1000)::float8 as ms`,
  );
  return new Date(Number(row?.ms));
}

function reportCompaction(
  { tables, heldBy, checkpointed, statisticsCompacted }: CompactionResult,
  driver: Driver,
): void {
  console.log(`Compacted ${tables.length} tables so old ciphertexts leave the database files.`);
  if (heldBy.length > 0) {
    console.log(
      `Transactions older than the rotation were still open (PostgreSQL process ${heldBy.join(", ")}), so the old row versions they can see were kept: run "npm run keys:rotate" again once they end.`,
    );
  }
  if (!statisticsCompacted) {
    console.log(
      "Only the database's owner may compact pg_statistic, so the planner's statistics may still hold old ciphertexts until they are next rewritten: run this command as the owner to remove them now.",
    );
  }
  if (!checkpointed) {
    console.log(
      "CHECKPOINT needs a superuser or the pg_checkpoint role: the old table files go at the server's next checkpoint instead.",
    );
  }
  console.log(
    driver === "postgres"
      ? "Backups taken before now still hold the old ciphertexts, and so may PostgreSQL's write-ahead log, WAL archives and replicas until they are recycled."
      : "Backups taken before now still hold the old ciphertexts.",
  );
}

/**
 * Sealed values no longer need the older keys, but access tokens signed under them do until
 * they expire: the longest a token can live is the longest TTL a client may have.
 */
function reportWhenOldKeysMayGo(versions: readonly number[], current: number, now: Date): void {
  const older = versions.filter((version) => version !== current);
  if (older.length === 0) return;
  const safeAt = new Date(now.getTime() + TOKEN_TTL_MINUTES.max * 60_000);
  const which = older.length === 1 ? `Key version ${older[0]}` : `Key versions ${older.join(", ")}`;
  console.log(
    `${which} may be removed from ${safeAt.toISOString()} on (${TOKEN_TTL_MINUTES.max / 60} hours from now). Access tokens signed under ${older.length === 1 ? "it" : "them"} may be valid until then; removing ${older.length === 1 ? "it" : "them"} earlier cuts them off.`,
  );
}

function parseOptions<T extends ParseArgsConfig["options"]>(args: string[], options: T) {
  try {
    return parseArgs({ args, options });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function openDatabase(
  databaseUrl: string | undefined,
  dataDir: string,
  poolSize: number,
): Promise<DatabaseHandle> {
  return databaseUrl
    ? openPostgres(databaseUrl, poolSize)
    : openPglite(path.join(dataDir, "pglite"), { recycleWal: false });
}

/** Errors whose message says everything; a stack trace would only bury it. */
function isExplained(error: unknown): error is Error {
  return (
    error instanceof KeyringError ||
    error instanceof EnvError ||
    error instanceof SealError ||
    error instanceof UsageError
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof DataDirInUseError) {
    console.error(
      `The embedded database in ${error.dataDir} is in use by process ${error.holder} (the app?): stop the app, then run this command again.`,
    );
    process.exitCode = 1;
    return;
  }
  if (!isExplained(error)) throw error;
  console.error(error.message);
  if (error instanceof SealError) {
    console.error(
      "Add the key that sealed it to the configured keys, or delete what holds it (re-create that auth config, integration or connection), then run this command again. Values re-encrypted so far stay re-encrypted.",
    );
  }
  if (error instanceof UsageError) console.error(`\n${usage}`);
  process.exitCode = 1;
});
