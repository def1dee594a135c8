/**
 * The data bench:lists measures: `size` auth configs, API clients (each with a till and
 * permissions) and audit events, written with one INSERT … SELECT per table (a few for the auth
 * configs, whose sealed columns are made here), then an admin with a session whose cookie the
 * bench sends as a browser would.
 *
 * Names have a spread, so a search has something to find whatever the size. Row n's name is its
 * block, its number and its role ("Atlas 0000010 Sync", identifier "atlas-0000010-sync"):
 * - the sixteen blocks (Atlas … Pioneer) are contiguous runs of rows in alphabetical order, and
 *   the zero-padded number follows, so the list's order is the row number's: "deep in the
 *   table" means a high row number;
 * - every tenth row carries the common term ("Sync"), evenly spread in list order, so a first
 *   page of matches is near whatever the size; the others carry one of nine roles;
 * - exactly one row, 90 % of the way down the list, carries the rare term ("Quasar").
 * Audit actors are spread the same way over at most 200 labels (atlas.0003@example.com …), and
 * one event, 90 % of the way back in time, is by quasar@example.com.
 */
import { sql } from "drizzle-orm";
import { type DatabaseHandle, migrateDatabase } from "@/db/client";
import { tills } from "@/db/schema";
import { createAdmin } from "@/lib/auth/service";
import { createSession } from "@/lib/auth/sessions";
import { type Keyring, seal, sealBindingFor } from "@/lib/crypto";
import { authConfigSealedColumns } from "@/lib/crypto/registry";

/** What the searches look for: in one row in ten, and in exactly one row. */
export const COMMON_TERM = "sync";
export const RARE_TERM = "quasar";
/** The audit's search is a prefix of actor labels: one of the sixteen blocks, and the one actor. */
export const COMMON_ACTOR_PREFIX = "atlas";
export const RARE_ACTOR_PREFIX = "quasar";

const BLOCKS = [
  "Atlas",
  "Beacon",
  "Cobalt",
  "Delta",
  "Ember",
  "Falcon",
  "Garnet",
  "Harbor",
  "Iris",
  "Juniper",
  "Kestrel",
  "Lumen",
  "Meridian",
  "Nimbus",
  "Orchid",
  "Pioneer",
];
const ROLES = [
  "Billing",
  "Orders",
  "Reports",
  "Inventory",
  "Payroll",
  "Shipping",
  "Ledger",
  "Catalog",
  "Support",
];
const ACTORS = 200;
/** Auth configs sealed and inserted per statement: bounds the size of one statement's text. */
const SEAL_CHUNK = 20_000;
const TILL_ID = "till_bench";
const ADMIN_EMAIL = "bench@example.com";

/** Row n's ids, as the seed writes them. */
export const seededIds = (n: number) => {
  const number = String(n).padStart(7, "0");
  return { apiClient: `cli_bench${number}`, authConfig: `cfg_bench${number}` };
};
/** What a seeded config's detail shows once its sealed token URL is opened. */
export const SEEDED_TOKEN_URL = "https://auth.example.com/oauth/token";

/** The row that carries the rare term: 90 % of the way down the list. */
export function rareRow(size: number): number {
  return Math.ceil(size * 0.9);
}

const sqlArray = (values: string[]) =>
  sql.raw(`array[${values.map((value) => `'${value}'`).join(", ")}]`);

/**
 * Row n's name parts (1-based): its block, its number and its role (the common term every tenth
 * row, the rare one in rareRow), as SQL over `n`.
 */
function nameParts(size: number) {
  const block = sql`(${sqlArray(BLOCKS)})[1 + ((n - 1) * ${BLOCKS.length}) / ${size}]`;
  const role = sql`case when n = ${rareRow(size)} then 'Quasar'
    when n % 10 = 0 then 'Sync' else (${sqlArray(ROLES)})[n % 10] end`;
  const number = sql`lpad(n::text, 7, '0')`;
  return { block, role, number };
}

const SEALED_COLUMNS = ["tokenUrl", "scope", "clientId", "clientSecret"] as const;
const PLAINTEXT: Record<(typeof SEALED_COLUMNS)[number], string> = {
  tokenUrl: SEEDED_TOKEN_URL,
  scope: "api:read api:write",
  clientId: "bench-client",
  clientSecret: "bench-secret-not-real",
};
/** Row n's sealed columns at index n - 1, per keyring. */
const sealedCache = new WeakMap<Keyring, string[][]>();

/**
 * Auth config rows from..to's sealed columns, in SEALED_COLUMNS order. Sealing costs tens of µs a
 * value, so each row is sealed once per run: row n's id, and so its binding, is the same at every
 * size and on both drivers, which makes every size's configs a prefix of the largest's.
 */
function sealedConfigs(keyring: Keyring, from: number, to: number): string[][] {
  const cache = sealedCache.get(keyring) ?? [];
  sealedCache.set(keyring, cache);
  for (let n = cache.length + 1; n <= to; n++) {
    const id = seededIds(n).authConfig;
    cache.push(
      SEALED_COLUMNS.map((column) =>
        seal(keyring, PLAINTEXT[column], sealBindingFor(authConfigSealedColumns[column], id)),
      ),
    );
  }
  return cache.slice(from - 1, to);
}

export interface Seeded {
  /** The Cookie header a signed-in browser sends. */
  cookie: string;
  seconds: number;
  /** Seconds per step (migrations, each table, analyze), to see where seeding goes. */
  steps: Record<string, number>;
}

/**
 * Migrates `handle`'s database and fills it. The database must be empty; `keyring` must be the one
 * the server will run with, so that a seeded config's detail opens.
 */
export async function seedLists(
  handle: DatabaseHandle,
  keyring: Keyring,
  size: number,
): Promise<Seeded> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  let stepStarted = started;
  const step = (name: string) => {
    const now = performance.now();
    steps[name] = (now - stepStarted) / 1000;
    stepStarted = now;
  };
  await migrateDatabase(handle);
  const { db } = handle;
  const created = await createAdmin(
    db,
    { email: ADMIN_EMAIL, password: "bench password, never used to sign in", role: "owner" },
    { actor: { type: "system", label: "bench:lists" }, via: "cli", firstOnly: false },
  );
  if (!created.ok) throw new Error(`creating the bench admin failed: ${created.error}`);
  step("migrations and admin");
  const { block, role, number } = nameParts(size);

  await db.insert(tills).values({
    id: TILL_ID,
    code: "BENCH",
    name: "Bench till",
    passwordHash: "unused",
  });
  await db.execute(sql`
    insert into api_clients (id, name, description, client_key, secret_hash, secret_prefix,
      token_ttl_minutes, till_id, created_by_label, created_at)
    select 'cli_bench' || ${number}, ${block} || ' ' || ${number} || ' ' || ${role},
      'Seeded by bench:lists', 'adk_ck_bench' || ${number}, 'unused', 'adk_cs_bench', 60,
      ${TILL_ID}, 'bench:lists', now() - n * interval '1 minute'
    from generate_series(1, ${size}) as n`);
  // Every client may write transactions; every other one may also read the integrations API.
  await db.execute(sql`
    insert into api_client_permissions (client_id, group_id, level)
    select 'cli_bench' || ${number}, g.group_id, g.level
    from generate_series(1, ${size}) as n
    cross join (values ('grp_transaction', 'write', 1), ('grp_integrations', 'read', 2))
      as g(group_id, level, every)
    where n % g.every = 0`);
  step("API clients");

  // The credential columns are sealed for real, each bound to its row, so a seeded config's
  // detail (which opens three of them) and its test work. The values travel as comma-separated
  // text (base64url and the "ad1.<v>." prefix have no commas).
  for (let from = 1; from <= size; from += SEAL_CHUNK) {
    const to = Math.min(size, from + SEAL_CHUNK - 1);
    const rows = sealedConfigs(keyring, from, to);
    const sealed = (column: number) => rows.map((row) => row[column]).join(",");
    await db.execute(sql`
      insert into auth_configs (id, identifier, type, token_url_sealed, scope_sealed,
        client_id_sealed, client_secret_sealed, auth_method, description, created_by_label,
        created_at)
      select 'cfg_bench' || ${number},
        lower(${block} || '-' || ${number} || '-' || ${role}), 'oauth2_client_credentials',
        s.token_url, s.scope, s.client_id, s.client_secret, 'client_secret_basic',
        'Seeded by bench:lists', 'bench:lists', now() - n * interval '1 minute'
      from (select s.token_url, s.scope, s.client_id, s.client_secret, s.k + ${from - 1} as n
            from unnest(string_to_array(${sealed(0)}, ','), string_to_array(${sealed(1)}, ','),
                        string_to_array(${sealed(2)}, ','), string_to_array(${sealed(3)}, ','))
              with ordinality as s(token_url, scope, client_id, client_secret, k)) as s`);
  }
  step("auth configs");

  // Events one second apart, newest last (n = size); actors in blocks like the names.
  const actors = Math.min(ACTORS, size);
  await db.execute(sql`
    insert into audit_events (occurred_at, actor_type, actor_id, actor_label, action,
      target_type, target_id, client_address, details)
    select now() - interval '1 minute' - (${size} - n) * interval '1 second', 'admin',
      ${created.admin.id},
      case when n = ${size + 1 - rareRow(size)} then 'quasar@example.com'
        else lower((${sqlArray(BLOCKS)})[1 + ((n % ${actors}) * ${BLOCKS.length}) / ${actors}])
          || '.' || lpad((n % ${actors})::text, 4, '0') || '@example.com' end,
      (${sqlArray(["api_client.registered", "auth_config.created", "auth_config.tested", "till.created", "api_group.created"])})[1 + n % 5],
      'api_client', 'cli_bench' || ${number}, '127.0.0.1', jsonb_build_object('seed', n)
    from generate_series(1, ${size}) as n`);
  step("audit events");

  // A real installation's tables have been analysed by autovacuum long before they hold this
  // much; without statistics the planner would be guessing about a table it has never seen.
  await db.execute(sql`analyze`);
  step("analyze");

  const session = await createSession(db, created.admin.id, {
    lifetimeHours: 12,
    idleMinutes: 30,
    clientAddress: "127.0.0.1",
    userAgent: "bench:lists",
  });
  return {
    cookie: `authdesk_session=${session.token}`,
    seconds: (performance.now() - started) / 1000,
    steps,
  };
}
