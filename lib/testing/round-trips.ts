import type { PGlite, Transaction as PgliteTransaction } from "@electric-sql/pglite";
import type pg from "pg";
import type { DatabaseHandle } from "@/db/client";

/**
 * Counts the statements a database handle sends, BEGIN and COMMIT included: what a request
 * costs in round trips on PostgreSQL (and in statements run through PGlite's WebAssembly), so a
 * test can assert "the cached path makes two" and a regression shows as a count, not a time.
 * countingDatabase counts Drizzle calls instead, which hides a transaction's BEGIN and COMMIT.
 */
export interface RoundTripCounter {
  count(): number;
  /** The statements sent since the last reset, as SQL text (for a failing assertion's message). */
  statements(): string[];
  reset(): void;
}

export function countRoundTrips(handle: DatabaseHandle): RoundTripCounter {
  const sent: string[] = [];
  const note = (statement: unknown) => {
    sent.push(typeof statement === "string" ? statement : String(sqlText(statement)));
  };
  // Statements are counted at the driver, under Drizzle: its `$client` is not in the Database
  // type, which covers both drivers, so the driver is told by handle.driver.
  const client = (handle.db as unknown as { $client: unknown }).$client;
  if (handle.driver === "pglite") countPglite(client as PGlite, note);
  else countPool(client as pg.Pool, note);
  return {
    count: () => sent.length,
    statements: () => [...sent],
    reset: () => {
      sent.length = 0;
    },
  };
}

function sqlText(statement: unknown): unknown {
  return typeof statement === "object" && statement !== null && "text" in statement
    ? statement.text
    : statement;
}

/** PGlite runs a transaction's statements through the object it hands the callback. */
function countPglite(client: PGlite, note: (statement: unknown) => void): void {
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  const transaction = client.transaction.bind(client);
  Object.assign(client, {
    query: (...args: Parameters<PGlite["query"]>) => {
      note(args[0]);
      return query(...args);
    },
    exec: (...args: Parameters<PGlite["exec"]>) => {
      note(args[0]);
      return exec(...args);
    },
    transaction: <T>(callback: (tx: PgliteTransaction) => Promise<T>) =>
      transaction(async (tx) => {
        note("BEGIN");
        const counted = Object.create(tx) as PgliteTransaction;
        counted.query = (...args) => {
          note(args[0]);
          return tx.query(...args);
        };
        counted.exec = (...args) => {
          note(args[0]);
          return tx.exec(...args);
        };
        const result = await callback(counted);
        note("COMMIT");
        return result;
      }),
  });
}

/**
 * Every statement, pooled or in a transaction, goes through a client the pool hands out (its own
 * `query` borrows one with `connect(callback)`), so counting at the clients counts each once.
 */
function countPool(pool: pg.Pool, note: (statement: unknown) => void): void {
  const counted = new WeakSet<pg.PoolClient>();
  const watch = (client: pg.PoolClient) => {
    if (counted.has(client)) return client;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    Object.assign(client, {
      query: (...args: unknown[]) => {
        note(args[0]);
        return query(...args);
      },
    });
    return client;
  };
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  Object.assign(pool, {
    connect: (
      callback?: (error: Error | undefined, client: pg.PoolClient, done: () => void) => void,
    ) =>
      callback
        ? connect((error: Error | undefined, client: pg.PoolClient, done: () => void) =>
            callback(error, client && watch(client), done),
          )
        : (connect() as Promise<pg.PoolClient>).then(watch),
  });
}
