import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { type Database, type DatabaseHandle, queryRows } from "@/db/client";
import { isInsufficientPrivilege } from "@/db/errors";
import type { Keyring } from "./keyring";
import { type SealedColumn, sealBindingFor, sealedColumns } from "./registry";
import { open, seal, sealedPrefix } from "./seal";

export interface RotationResult {
  table: string;
  column: string;
  reencrypted: number;
}

export interface RotationOptions {
  /** Rows read, re-sealed and written per transaction. */
  batchSize?: number;
}

interface StaleRow {
  id: unknown;
  value: string;
}

/**
 * Re-seals every value not yet under the keyring's current version, so older key versions can
 * then be removed. Safe to run while the app writes (each update only applies if the value is
 * still the one that was read) and safe to repeat (values already current are skipped).
 * A value that cannot be opened stops the run with a SealError naming its row; batches done
 * before it stay committed, so the run can simply be repeated once the missing key is added.
 */
export async function rotateSealedColumns(
  db: Database,
  keyring: Keyring,
  columns: SealedColumn[] = sealedColumns,
  options: RotationOptions = {},
): Promise<RotationResult[]> {
  const results: RotationResult[] = [];
  for (const sealedColumn of columns) {
    const reencrypted = await rotateColumn(db, keyring, sealedColumn, options.batchSize ?? 500);
    results.push({ table: sealedColumn.table, column: sealedColumn.column, reencrypted });
  }
  return results;
}

async function rotateColumn(
  db: Database,
  keyring: Keyring,
  sealedColumn: SealedColumn,
  batchSize: number,
): Promise<number> {
  let reencrypted = 0;
  let after: unknown;
  for (;;) {
    const rows = await selectStaleRows(db, keyring, sealedColumn, after, batchSize);
    if (rows.length === 0) return reencrypted;
    reencrypted += await resealBatch(db, keyring, sealedColumn, rows);
    after = rows[rows.length - 1]?.id;
  }
}

/** Keyset pagination by id: re-sealed rows drop out of the filter, so offsets would skip rows. */
async function selectStaleRows(
  db: Database,
  keyring: Keyring,
  { table, idColumn, column }: SealedColumn,
  after: unknown,
  batchSize: number,
): Promise<StaleRow[]> {
  const id = sql.identifier(idColumn);
  const value = sql.identifier(column);
  const afterCondition: SQL = after === undefined ? sql`` : sql` and ${id} > ${after}`;
  return queryRows<StaleRow>(
    db,
    sql`
    select ${id} as id, ${value} as value from ${sql.identifier(table)}
    where ${value} is not null and ${value} not like ${`${sealedPrefix(keyring.currentVersion)}%`}
    ${afterCondition}
    order by ${id}
    limit ${batchSize}`,
  );
}

/** Decrypts before the transaction opens, so it stays as short as the writes themselves. */
async function resealBatch(
  db: Database,
  keyring: Keyring,
  sealedColumn: SealedColumn,
  rows: StaleRow[],
): Promise<number> {
  const updates = rows.map((row) => {
    const binding = sealBindingFor(sealedColumn, row.id);
    return { ...row, resealed: seal(keyring, open(keyring, row.value, binding), binding) };
  });
  const id = sql.identifier(sealedColumn.idColumn);
  const value = sql.identifier(sealedColumn.column);
  return db.transaction(async (tx) => {
    let written = 0;
    for (const update of updates) {
      // Matching the old value too means a secret changed meanwhile is left as the app wrote it.
      const updated = await queryRows(
        tx,
        sql`
        update ${sql.identifier(sealedColumn.table)} set ${value} = ${update.resealed}
        where ${id} = ${update.id} and ${value} = ${update.value}
        returning ${id}`,
      );
      written += updated.length;
    }
    return written;
  });
}

export interface CompactionResult {
  /** Tables rewritten by VACUUM FULL. */
  tables: string[];
  /**
   * PostgreSQL processes whose transactions began before the rotation and were still open when
   * waiting for them ran out: VACUUM FULL must keep the old row versions they can still see.
   */
  heldBy: number[];
  /**
   * Whether the CHECKPOINT ran. PostgreSQL allows it to superusers and members of
   * pg_checkpoint only; without it the old row versions are gone from the tables but the old
   * files and write-ahead log are dropped at the server's next checkpoint instead.
   */
  checkpointed: boolean;
  /**
   * Whether pg_statistic was compacted. PostgreSQL skips it with only a warning unless the role
   * owns the database (or is a superuser), so this is checked rather than assumed.
   */
  statisticsCompacted: boolean;
}

/**
 * After rotation, makes the database drop what still holds old ciphertexts: an UPDATE leaves the
 * old row version in the table file (PGlite never vacuums; PostgreSQL's autovacuum frees the
 * space but leaves the bytes), in the planner's statistics (pg_statistic samples column values)
 * and in the write-ahead log. VACUUM FULL writes each table anew and ANALYZE replaces its
 * samples, after which pg_statistic is compacted too; the CHECKPOINT that follows deletes the old
 * files. On PGlite, a WAL segment switch and a second
 * checkpoint then retire the segments that logged the old values; opened with recycleWal false
 * (db/client.ts), PGlite deletes them instead of keeping them for reuse. Every table with a
 * sealed column is compacted, not only those rewritten now, since an earlier run or deleted rows
 * may have left old versions behind. VACUUM FULL locks each table while it is rewritten: these
 * are the credential tables, small next to the audit log.
 */
export interface CompactionOptions {
  /** How long to wait for transactions older than the rotation to end. Default 60,000. */
  waitMs?: number;
}

export async function compactSealedTables(
  handle: DatabaseHandle,
  columns: SealedColumn[] = sealedColumns,
  options: CompactionOptions = {},
): Promise<CompactionResult> {
  const tables = [...new Set(columns.map((column) => column.table))];
  const heldBy =
    handle.driver === "postgres"
      ? await waitForOlderTransactions(handle.db, options.waitMs ?? 60_000)
      : [];
  for (const table of tables) {
    // ANALYZE too: the planner's statistics keep sample values of every column, ciphertexts
    // included, and fresh samples replace the old ones.
    await handle.db.execute(sql`vacuum (full, analyze) ${sql.identifier(table)}`);
  }
  // Then the replaced samples' row versions go as well, when this role may (see the result).
  const statisticsCompacted = await ownsDatabase(handle.db);
  if (statisticsCompacted) await handle.db.execute(sql`vacuum full pg_catalog.pg_statistic`);
  if (handle.driver === "pglite") {
    await handle.db.execute(sql`checkpoint`);
    await handle.db.execute(sql`select pg_switch_wal()`);
    await handle.db.execute(sql`checkpoint`);
    return { tables, heldBy, checkpointed: true, statisticsCompacted };
  }
  try {
    await handle.db.execute(sql`checkpoint`);
    return { tables, heldBy, checkpointed: true, statisticsCompacted };
  } catch (error) {
    if (!isInsufficientPrivilege(error)) throw error;
    return { tables, heldBy, checkpointed: false, statisticsCompacted };
  }
}

/** Superusers and members of the database owner's role may VACUUM pg_statistic. */
async function ownsDatabase(db: Database): Promise<boolean> {
  const [row] = await queryRows<{ owns: boolean }>(
    db,
    sql`select (select rolsuper from pg_roles where rolname = current_user)
      or pg_has_role(current_user, d.datdba, 'MEMBER') as owns
      from pg_database d where d.datname = current_database()`,
  );
  return row?.owns === true;
}

/**
 * VACUUM FULL copies a dead row version into the new table file while any transaction can still
 * see it, so a transaction that began before the rotation (an app request, an autovacuum worker,
 * a forgotten psql session) would keep old ciphertexts alive. Waits until every other backend in
 * this database holds a snapshot newer than now, and returns the process ids still holding an
 * older one when time runs out.
 */
async function waitForOlderTransactions(db: Database, waitMs: number): Promise<number[]> {
  const [now] = await queryRows<{ xid: string }>(
    db,
    sql`select (txid_current() % 4294967296)::text as xid`,
  );
  const deadline = Date.now() + waitMs;
  for (;;) {
    const older = await queryRows<{ pid: number }>(
      db,
      sql`
      select pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()
        and backend_xmin is not null and age(backend_xmin) > age(${now?.xid}::xid)`,
    );
    if (older.length === 0 || Date.now() >= deadline) return older.map((row) => row.pid);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
