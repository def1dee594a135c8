/**
 * Preloaded (`--import`) into the token bench's server children that use PostgreSQL: counts the
 * SQL queries the process sends through `pg`, so the bench can print queries per request, and
 * ends the child when the bench goes away. One increment per query: nothing the figures can see.
 */
import pg from "pg";

let queries = 0;
const query = pg.Client.prototype.query;
// biome-ignore lint/suspicious/noExplicitAny: a pass-through wrapper over pg's overloaded query()
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: any[]) {
  queries += 1;
  return Reflect.apply(query, this, args);
} as typeof query;

process.on("message", (message) => {
  if (message === "queries") process.send?.({ queries });
});
// The bench talks to this child over IPC; once that channel closes, nobody will stop it.
process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
