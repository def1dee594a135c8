import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "./actions";

const ROOT = path.resolve(import.meta.dirname, "../..");

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, directory), { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry) => {
      const relative = path.join(directory, entry.name);
      if (entry.isDirectory()) return sourceFiles(relative);
      return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [relative] : [];
    }),
  );
  return files.flat();
}

/**
 * The action names the source records: dotted literals on an `action:` property (including both
 * sides of a ternary) or in a `…_ACTION =` constant. The type on recordAudit catches most
 * omissions already; this also catches an `as` cast or a row built without auditColumns.
 */
async function recordedActions(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const files = [
    ...(await sourceFiles("lib")),
    ...(await sourceFiles("app")),
    ...(await sourceFiles("bench")),
    "server.ts",
  ];
  for (const file of files) {
    const text = await readFile(path.join(ROOT, file), "utf8");
    for (const line of text.split("\n")) {
      const match = /\baction:\s*(.*)$|_ACTION\s*=\s*(.*)$/.exec(line);
      const rest = match?.[1] ?? match?.[2];
      if (!rest) continue;
      for (const [, name] of rest.matchAll(/"([a-z_]+\.[a-z_.]+)"/g)) {
        if (name) found.set(name, file);
      }
    }
  }
  return found;
}

describe("the known audit actions", () => {
  it("list every action the code records", async () => {
    const recorded = await recordedActions();
    // A sanity check on the scan itself: it finds actions from several areas.
    expect(recorded.get("admin.signed_in")).toBe("lib/auth/service.ts");
    expect(recorded.get("integration.connection_replaced")).toBeDefined();
    expect(recorded.get("integration.connection_credentials_read")).toBeDefined();
    const known = new Set<string>(AUDIT_ACTIONS);
    const missing = [...recorded].filter(([name]) => !known.has(name));
    expect(missing, "actions recorded in the source but missing from AUDIT_ACTIONS").toEqual([]);
  });

  it("are unique and sorted, as the menu shows them", () => {
    expect([...new Set(AUDIT_ACTIONS)]).toEqual([...AUDIT_ACTIONS].sort());
  });
});
