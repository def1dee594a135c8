import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import { createSession } from "@/lib/auth/sessions";
import { insertTestAdmin } from "@/lib/auth-configs/token-broker.testing";
import { startRuntime, stopRuntime } from "@/lib/runtime";
import {
  type ExportedServerAction,
  exportedServerActions,
  isRedirect,
  serverActionFiles,
  testRequest,
} from "./server-actions.testing";

// Actions read the request through next/headers, which works only inside Next's request
// handling; the stand-in serves the session cookie. Everything behind it is the real code.
vi.mock("next/headers", async () => (await import("./server-actions.testing")).nextHeadersStub);

/*
 * Every exported server action is a public endpoint anyone can POST to with arguments of any
 * shape. Called with junk, each must answer (a result, or Next's redirect), never throw: a
 * throw is a 500. The run uses an embedded database of its own in a temporary directory: the
 * arguments' shape is what is tested, not a driver.
 */

/** Fresh each time: an action may read a FormData's entries. */
function junkArguments(): Array<[label: string, args: unknown[]]> {
  const wrongTypes = new FormData();
  wrongTypes.append("email", new Blob(["ada@example.com"]));
  wrongTypes.append("password", new File(["x"], "password.txt"));
  wrongTypes.append("id", "x");
  wrongTypes.append("id", "y");
  let nested: unknown = "deep";
  for (let depth = 0; depth < 40; depth++) nested = { id: nested, cursor: [nested] };
  return [
    ["no arguments", []],
    ["null", [null]],
    ["null, null", [null, null]],
    ["undefined, undefined", [undefined, undefined]],
    ["a string", ["x"]],
    ["three strings", ["x", "y", "z"]],
    ["a long string", ["a".repeat(100_000)]],
    ["a number", [42]],
    ["NaN and a bigint", [Number.NaN, 10n]],
    ["booleans", [true, false]],
    ["an empty list", [[]]],
    ["a list of strings", [["x", "y"]]],
    ["two empty objects", [{}, {}]],
    [
      "objects of wrong types",
      [
        { id: 1, search: [], after: {} },
        { values: "x", code: 7 },
      ],
    ],
    ["a prototype-less object", [Object.create(null)]],
    ["a __proto__ key", [JSON.parse('{"__proto__":{"polluted":true},"id":"x"}')]],
    ["a date", [new Date(0)]],
    ["deep nesting", [nested, nested]],
    ["an empty FormData", [new FormData(), new FormData()]],
    ["FormData with files and repeats", [null, wrongTypes]],
    ["FormData first", [wrongTypes]],
  ];
}

const runtimeDir = mkdtempSync(path.join(os.tmpdir(), "authdesk-actions-"));
let db: Database;
let adminId: string;

async function startSession(): Promise<void> {
  const session = await createSession(db, adminId, {
    lifetimeHours: 1,
    idleMinutes: 30,
    clientAddress: null,
    userAgent: "vitest",
  });
  // The stand-in request is plain http, so the cookie has no __Host- prefix.
  testRequest.cookies.set(sessionCookieName(false), session.token);
}

async function auditedActions(): Promise<string[]> {
  const rows = await db.select({ action: auditEvents.action }).from(auditEvents);
  return rows.map((row) => row.action);
}

describe("every exported server action", () => {
  let actions: ExportedServerAction[];

  beforeAll(async () => {
    // Read once by env(): set before the runtime starts. An embedded database, never DATABASE_URL.
    process.env.AUTHDESK_DATA_DIR = runtimeDir;
    process.env.DATABASE_URL = "";
    process.env.AUTHDESK_ENCRYPTION_KEYS = "";
    db = (await startRuntime(() => {})).database.db;
    adminId = (await insertTestAdmin(db)).id;
    await startSession();
    actions = await exportedServerActions();
  });

  afterAll(async () => {
    await stopRuntime();
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  it("are found from the code: every 'use server' module, and no inline actions it would miss", async () => {
    const { modules, inline } = await serverActionFiles();
    expect(inline, "put server actions in a 'use server' module, where tests find them").toEqual(
      [],
    );
    expect(modules).toEqual(
      expect.arrayContaining(["app/(auth)/actions.ts", "app/connect/actions.ts"]),
    );
    const names = actions.map((entry) => entry.name);
    expect(names).toEqual(
      expect.arrayContaining(["signInAction", "setupAction", "listAuditEventsAction"]),
    );
    expect(names.length).toBeGreaterThan(30);
  });

  it("answer junk arguments with a result, never a throw, and change nothing", async () => {
    const before = (await auditedActions()).length;
    const thrown: string[] = [];
    const redirected = new Set<string>();
    for (const { label, name, action } of actions) {
      for (const [junk, args] of junkArguments()) {
        try {
          await action(...args);
        } catch (error) {
          if (!isRedirect(error)) {
            thrown.push(`${label}(${junk}): ${String(error).slice(0, 200)}`);
            continue;
          }
          // Signing out ends the session: the next action gets a new one.
          redirected.add(name);
          await startSession();
        }
      }
    }
    expect(thrown).toEqual([]);
    // Signed in, only signing out ends in a redirect: the others reached their argument checks.
    expect([...redirected]).toEqual(["signOutAction"]);
    const recorded = (await auditedActions()).slice(before);
    expect(recorded.filter((action) => action !== "admin.signed_out")).toEqual([]);
  });
});
