import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every module under lib/ and db/ must import "server-only" (so Next refuses to bundle it into
 * browser code) unless it is listed here as safe for the browser or free of secrets and I/O.
 * New modules are server-only by default: forgetting the import fails this test.
 */
const BROWSER_SAFE = new Set([
  "lib/auth/schema.ts", // zod schemas shared by forms and actions
  "lib/auth/roles.ts", // role names and rules; the console hides buttons with them
  "lib/auth/two-factor-schema.ts", // two-factor forms' zod schemas, shared with their actions
  "lib/auth-configs/schema.ts",
  "lib/settings/schema.ts",
  "lib/tills/schema.ts",
  "lib/admins/schema.ts",
  "lib/api-groups/schema.ts",
  "lib/api-clients/schema.ts",
  "lib/integrations/schema.ts",
  "lib/api-access/schema.ts", // the access-list input and output, shared with the console
  "lib/audit/schema.ts",
  "lib/audit/actions.ts", // the known action names, for the action menu
  "lib/auth/account-schema.ts", // the account page's inputs, shared by its forms and actions
  "lib/auth/account-contract.ts", // the account page's session list allowlist and results
  "lib/auth-configs/contract.ts", // output allowlists and result types shared with the console
  "lib/api-clients/contract.ts",
  "lib/settings/contract.ts",
  "lib/tills/contract.ts",
  "lib/admins/contract.ts",
  "lib/api-groups/contract.ts",
  "lib/integrations/contract.ts",
  "lib/audit/contract.ts",
  "lib/paging/contract.ts", // the page shape and list query every console list shares
  "lib/integrations/connect-contract.ts", // the hosted connect page's browser half
  "lib/integrations/url-rules.ts", // shared by schema.ts, which the browser runs
  "lib/integrations/connect-tokens.ts", // token shape and hash, no I/O; e2e hashes links with it
  "lib/forms/field-errors.ts",
  "lib/forms/action-result.ts",
  "lib/utils/cn.ts",
  "lib/utils/assert-never.ts",
  "lib/ids.ts",
  "lib/api/problem.ts",
  "lib/http/request-context.ts", // pure header parsing, used by server.ts
  "lib/http/security-headers.ts",
  "lib/http/public-origin.ts", // pure: picks the configured origin or the request's
  "db/errors.ts", // classifies driver errors; no I/O
  "lib/oauth/scopes.ts", // shown in the console too
]);
const NOT_APP_CODE = ["lib/testing/", "db/schema/", "db/migrations/"];

function modulesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .map((file) => path.join(directory, file))
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".test.ts"))
    .filter((file) => !NOT_APP_CODE.some((prefix) => file.startsWith(prefix)));
}

describe("server-only boundary", () => {
  const modules = [...modulesUnder("lib"), ...modulesUnder("db")];

  it.each(modules.filter((file) => !BROWSER_SAFE.has(file)))("%s imports server-only", (file) => {
    expect(readFileSync(file, "utf8")).toMatch(/^import "server-only";$/m);
  });

  it("has no stale entries in the browser-safe list", () => {
    for (const file of BROWSER_SAFE) expect(modules).toContain(file);
  });
});
