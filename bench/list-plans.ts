/**
 * How the console's lists are served at 100,000 rows: seeds each list's table with one
 * generate_series insert, then EXPLAIN ANALYZEs each list's page query for the first page, a
 * page deep in the table, a rare and a common search, and 1–2 character searches. Prints the
 * plan's scans and the execution time, and fails when a plan reads a list's table with a
 * sequential scan.
 *
 *   npm run bench:list-plans                 embedded PGlite, in memory
 *   DATABASE_URL=postgres://… npm run bench:list-plans   a scratch database on that server
 *
 * PGlite has no autovacuum, so the bench runs ANALYZE as the app does after migrating
 * (db/client.ts); on PostgreSQL autovacuum would have analysed a table of this size.
 */
import { type SQL, sql } from "drizzle-orm";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { apiClientPageQuery } from "@/lib/api-clients/service";
import { authConfigPageQuery } from "@/lib/auth-configs/service";
import { integrationPageQuery } from "@/lib/integrations/service";
import { encodeCursor } from "@/lib/paging/keyset";
import { createTestDatabase } from "@/lib/testing/databases";
import { tillPageQuery } from "@/lib/tills/service";

const ROWS = 100_000;
const LIMIT = 50;
const WORDS = [
  "Loyalty",
  "Billing",
  "Payroll",
  "Inventory",
  "Shipping",
  "Returns",
  "Reports",
  "Marketing",
  "Kiosk",
  "Warehouse",
];
/** `'<word> sync 000042'`: each word on a tenth of the rows, "sync" on all of them. */
const label = (prefix: string) =>
  sql.raw(
    `(array[${WORDS.map((word) => `'${word}'`).join(",")}])[n % ${WORDS.length} + 1] || '${prefix}' || lpad(n::text, 6, '0')`,
  );

async function seed(handle: DatabaseHandle) {
  const db = handle.db;
  await db.execute(sql`
    insert into tills (id, code, name, password_hash)
    select 'till_' || lpad(n::text, 6, '0'), 'T' || lpad(n::text, 6, '0'), ${label(" sync ")}, 'x'
    from generate_series(1, ${ROWS}) as n`);
  // Half the clients act as one busy till, the rest spread over a thousand.
  await db.execute(sql`
    insert into api_clients (id, name, client_key, secret_hash, secret_prefix,
      token_ttl_minutes, till_id, created_by_label)
    select 'cli_' || lpad(n::text, 6, '0'), ${label(" sync ")},
      'adk_ck_' || md5(n::text) || lpad(n::text, 6, '0'), 'x', 'x', 60,
      'till_' || lpad((case when n % 2 = 0 then 1 else n % 1000 + 1 end)::text, 6, '0'), 'seed'
    from generate_series(1, ${ROWS}) as n`);
  await db.execute(sql`
    insert into auth_configs (id, identifier, type, token_url_sealed, scope_sealed,
      client_id_sealed, client_secret_sealed, auth_method, created_by_label)
    select 'cfg_' || lpad(n::text, 6, '0'), lower(${label("-sync-")}), 'oauth2_client_credentials',
      'x', 'x', 'x', 'x', 'client_secret_basic', 'seed'
    from generate_series(1, ${ROWS}) as n`);
  await db.execute(sql`
    insert into integrations (id, name, created_by_label)
    select md5(n::text)::uuid, ${label(" sync ")}, 'seed'
    from generate_series(1, ${ROWS}) as n`);
  if (!process.env.NO_ANALYZE) await db.execute(sql`analyze`);
}

type Case = { name: string; query: SQL };

function cases(handle: DatabaseHandle): Array<{ list: string; table: string; cases: Case[] }> {
  const db = handle.db;
  const deep = (key: string, id: string) => encodeCursor({ key, id });
  const of = (
    build: (options: { search?: string; after?: string }, limit: number) => { getSQL(): SQL } | SQL,
    deepCursor: string,
    rare: string,
    deepBilling = deep("Billing sync 050001", "00000000-0000-0000-0000-000000000000"),
  ): Case[] =>
    [
      ["first page", {}],
      ["page at row 90,000", { after: deepCursor }],
      [`rare search "${rare}"`, { search: rare }],
      [`search "zephyr" (no row)`, { search: "zephyr" }],
      [`common search "sync" (every row)`, { search: "sync" }],
      [`search "billing" (a tenth)`, { search: "billing" }],
      [`2 characters "bi" (a tenth)`, { search: "bi" }],
      [`2 characters "zq" (none)`, { search: "zq" }],
      [`next page of "billing"`, { search: "billing", after: deepBilling }],
    ].map(([name, options]) => {
      const built = build(options as { search?: string; after?: string }, LIMIT);
      return { name: name as string, query: "getSQL" in built ? built.getSQL() : built };
    });
  return [
    {
      list: "API clients",
      table: "api_clients",
      cases: of(
        (options, limit) => apiClientPageQuery(db, options, limit),
        deep("Payroll sync 090002", "cli_090002"),
        "063001",
      ),
    },
    {
      list: "auth configs",
      table: "auth_configs",
      cases: of(
        (options, limit) => authConfigPageQuery(db, options, limit),
        deep("payroll-sync-090002", "cfg_090002"),
        "063001",
      ),
    },
    {
      list: "integrations",
      table: "integrations",
      cases: of(
        (options, limit) => integrationPageQuery(db, options, limit),
        deep("Payroll sync 090002", "00000000-0000-0000-0000-000000000000"),
        "063001",
      ),
    },
    {
      list: "tills",
      table: "tills",
      cases: of(
        (options, limit) => tillPageQuery(db, options, limit),
        deep("T090000", "till_090000"),
        "063001",
      ),
    },
  ];
}

async function main() {
  const driver = process.env.DATABASE_URL ? "postgres" : "pglite";
  const handle = await createTestDatabase(driver);
  let failures = 0;
  try {
    const started = performance.now();
    await seed(handle);
    console.log(
      `${driver}: seeded ${ROWS.toLocaleString("en")} rows per list in ${Math.round(performance.now() - started)} ms`,
    );
    const only = process.env.LIST;
    for (const { list, table, cases: listCases } of cases(handle)) {
      if (only && table !== only) continue;
      console.log(`\n${list}`);
      for (const { name, query } of listCases) {
        // Warm once, then measure the second run.
        await handle.db.execute(sql`explain analyze ${query}`);
        const plan = (
          await queryRows<{ "QUERY PLAN": string }>(
            handle.db,
            sql`explain (analyze, buffers off) ${query}`,
          )
        ).map((row) => row["QUERY PLAN"]);
        const time = plan.find((line) => line.startsWith("Execution Time"))?.split(": ")[1];
        const scans = plan
          .filter((line) => /Scan|Sort|Limit/.test(line) && !/SubPlan/.test(line))
          .map((line) =>
            line
              .trim()
              .replace(/\s+\(cost.*$/, "")
              .replace(/^->\s*/, ""),
          )
          .filter((line) => !line.startsWith("Sort Key") && !line.startsWith("Sort Method"));
        const seq = plan.some((line) => line.includes(`Seq Scan on ${table}`));
        if (seq) failures++;
        console.log(
          `  ${name.padEnd(38)} ${String(time).padStart(10)}  ${seq ? "SEQ SCAN  " : ""}${scans.slice(0, 4).join(" / ")}`,
        );
        if (process.env.VERBOSE) console.log(plan.map((line) => `      ${line}`).join("\n"));
      }
    }
  } finally {
    await handle.close();
  }
  if (failures) {
    console.error(`\n${failures} plan(s) read a list's table sequentially`);
    process.exitCode = 1;
  }
}

await main();
