import "server-only";
import { createHmac, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "@/db/client";
import { organizationSettings, tills } from "@/db/schema";
import { decoyPasswordHash, verifyPassword } from "@/lib/auth/password";
import { type PermissionRow, tillPermissionsJson } from "@/lib/oauth/client-scopes";
import { scopesForPermissions } from "@/lib/oauth/scopes";
import { type CounterState, liveCountersJson } from "@/lib/rate-limit/counter";
import {
  DEFAULT_FAILURE_LIMITS,
  type FailureLimits,
  failureCounters,
  recordFailure,
  refuseAttempt,
  throttleVerdict,
} from "@/lib/rate-limit/failures";
import { TILL_CODE_MAX, TILL_PASSWORD_MAX } from "@/lib/tills/schema";

/**
 * Basic authentication with a till's code and password (RFC 7617), for organisations that keep
 * it switched on.
 *
 * A till carries the scopes of its own permissions, one per API group, chosen with the same
 * None / View only / Modify matrix as an API client's when the till is added (tills that existed
 * before were given Modify on every group, the every-scope access they had). The organisation
 * switch turns Basic off altogether.
 *
 * Till passwords are scrypt hashes (about 100 ms and 128 MiB each), too dear to pay on every
 * API call. So a successful verification is remembered for five minutes under an HMAC of the
 * code and password (keyed with a random per-process key, so no plain fast hash of a password
 * sits in memory), together with the password hash it matched. Every request still reads the
 * till and the switch from the database in one query, and a remembered verification counts only
 * while that till's stored hash is unchanged: deleting the till, changing its password or
 * switching Basic off takes effect on the next request. Failures are never remembered; they are
 * counted for the failure throttle instead, and the scrypt work of concurrent attempts is bounded
 * by libuv's thread pool (four at a time).
 */
export interface TillCredentials {
  code: string;
  password: string;
}

export type BasicResult =
  | { ok: true; tillId: string; scopes: string[] }
  | { ok: false; error: "basic_disabled" | "invalid_credentials" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

export interface BasicVerifier {
  verify(
    executor: Executor,
    credentials: TillCredentials,
    clientAddress: string | null,
  ): Promise<BasicResult>;
}

interface TillRow {
  counters: CounterState[];
  enabled: boolean | null;
  tillId: string | null;
  passwordHash: string | null;
  permissions: PermissionRow[];
}

interface Remembered {
  tillId: string;
  passwordHash: string;
  verifiedAtMs: number;
}

const REMEMBER_MS = 5 * 60_000;
const REMEMBER_AT_MOST = 1_000;

export function createBasicVerifier(
  options: { limits?: FailureLimits; now?: () => number } = {},
): BasicVerifier {
  const now = options.now ?? Date.now;
  const limits = options.limits ?? DEFAULT_FAILURE_LIMITS;
  const cacheKey = randomBytes(32);
  const remembered = new Map<string, Remembered>();
  const verifying = new Map<string, Promise<boolean>>();

  function fingerprint({ code, password }: TillCredentials): string {
    return createHmac("sha256", cacheKey).update(code).update("\0").update(password).digest("hex");
  }

  function recall(key: string, row: TillRow): boolean {
    const entry = remembered.get(key);
    if (!entry) return false;
    const fresh = now() - entry.verifiedAtMs < REMEMBER_MS;
    if (fresh && entry.tillId === row.tillId && entry.passwordHash === row.passwordHash)
      return true;
    remembered.delete(key);
    return false;
  }

  function remember(key: string, tillId: string, passwordHash: string): void {
    remembered.delete(key);
    remembered.set(key, { tillId, passwordHash, verifiedAtMs: now() });
    // Maps iterate in insertion order, so the first key is the one verified longest ago.
    if (remembered.size > REMEMBER_AT_MOST) {
      const oldest = remembered.keys().next().value;
      if (oldest !== undefined) remembered.delete(oldest);
    }
  }

  /** Concurrent requests with the same credentials share one scrypt run. */
  async function passwordMatches(key: string, password: string, stored: string | null) {
    const flightKey = `${key}:${stored ?? ""}`;
    let pending = verifying.get(flightKey);
    if (!pending) {
      pending = (async () => verifyPassword(password, stored ?? (await decoyPasswordHash())))();
      verifying.set(flightKey, pending);
      pending.finally(() => verifying.delete(flightKey)).catch(() => {});
    }
    return pending;
  }

  async function verify(
    executor: Executor,
    credentials: TillCredentials,
    clientAddress: string | null,
  ): Promise<BasicResult> {
    const counters = failureCounters(
      { kind: "till", id: credentials.code.toLowerCase() },
      clientAddress,
      limits,
    );
    const row = await findTill(executor, credentials.code, counters.keys);
    if (row.enabled === false) return { ok: false, error: "basic_disabled" };
    const verdict = throttleVerdict(counters, row.counters);
    if (verdict.throttled) {
      const retryAfterSeconds = await refuseAttempt(executor, counters, verdict);
      return { ok: false, error: "throttled", retryAfterSeconds };
    }
    const key = fingerprint(credentials);
    if (row.tillId && row.passwordHash && recall(key, row)) {
      return { ok: true, tillId: row.tillId, scopes: scopesForPermissions(row.permissions) };
    }
    const matches =
      fitsTillLimits(credentials) &&
      (await passwordMatches(key, credentials.password, row.passwordHash));
    if (!matches || !row.tillId || !row.passwordHash) {
      await recordFailure(executor, counters);
      return { ok: false, error: "invalid_credentials" };
    }
    remember(key, row.tillId, row.passwordHash);
    return { ok: true, tillId: row.tillId, scopes: scopesForPermissions(row.permissions) };
  }

  return { verify };
}

/** No till has a longer code or password, so such credentials cannot match: no scrypt for them. */
function fitsTillLimits({ code, password }: TillCredentials): boolean {
  return code.length <= TILL_CODE_MAX && password.length <= TILL_PASSWORD_MAX;
}

/** One row: the switch, the failure counters, and the till with its permissions if it exists. */
async function findTill(executor: Executor, code: string, counterKeys: string[]) {
  const [row] = await queryRows<TillRow>(
    executor,
    sql`select
      ${liveCountersJson(counterKeys)} as "counters",
      (select ${organizationSettings.basicAuthEnabled} from ${organizationSettings} where ${organizationSettings.id} = 1) as "enabled",
      ${tillPermissionsJson(tills.id)} as "permissions",
      ${tills.id} as "tillId",
      ${tills.passwordHash} as "passwordHash"
    from (select 1) as "one"
    left join ${tills} on lower(${tills.code}) = lower(${code})`,
  );
  if (!row) throw new Error("The till lookup returned no row");
  return row;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** RFC 7617: base64 of `code:password`, UTF-8; the code cannot contain a colon, the password can. */
export function decodeTillCredentials(encoded: string): TillCredentials | undefined {
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  // PostgreSQL text cannot hold NUL, and no till code or password contains one.
  if (colon <= 0 || decoded.includes("\0")) return undefined;
  return { code: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
