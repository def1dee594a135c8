import path from "node:path";

/**
 * The e2e servers' addresses, derived from E2E_PORT alone so that a second checkout can run the
 * suite beside the first (say E2E_PORT=3500). playwright.config.ts and the specs both read them
 * from here.
 */
const base = Number(process.env.E2E_PORT ?? 3300);
const url = (port: number) => `http://127.0.0.1:${port}`;

export const e2ePorts = {
  /** The console specs' server, on embedded PGlite. */
  pglite: base,
  /** With DATABASE_URL: instance A on PostgreSQL, the "postgres" projects' baseURL. */
  postgres: base + 1,
  /** With DATABASE_URL: instance B, a second server.ts process on the same database. */
  postgresSecond: base + 2,
};

export const e2eUrls = {
  pglite: url(e2ePorts.pglite),
  postgres: url(e2ePorts.postgres),
  postgresSecond: url(e2ePorts.postgresSecond),
};

/**
 * Where e2e/postgres-server.ts writes the URL of the fresh database it serves on a port, for the
 * specs that must reach into it (e2e/unreadable.spec.ts); removed when the servers stop.
 */
export const postgresDatabaseUrlFile = (port: number | string) =>
  path.resolve(".e2e-postgres", `${port}.url`);
