import { readFileSync } from "node:fs";
import path from "node:path";

export interface BuiltServerAction {
  id: string;
  /** The exported function's name, e.g. "signInAction". */
  name: string;
  /** A page whose bundle has the action: where the browser posts it. */
  path: string;
}

/** The build's real server action ids (.next/server/server-reference-manifest.json). */
export function builtServerActions(): BuiltServerAction[] {
  const manifest = JSON.parse(
    readFileSync(path.join(".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { exportedName?: string; workers: Record<string, unknown> }> };
  return Object.entries(manifest.node).flatMap(([id, entry]) => {
    const worker = Object.keys(entry.workers)[0];
    if (!worker) return [];
    // "app/(console)/audit/page" is served at /audit; "app/connect/[token]/page" at /connect/x.
    const page = worker
      .replace(/^app/, "")
      .replace(/\/page$/, "")
      .replace(/\/\([^)]+\)/g, "")
      .replace(/\[[^\]]+\]/g, "x");
    return [{ id, name: entry.exportedName ?? "", path: page || "/" }];
  });
}

export function builtServerAction(name: string): BuiltServerAction {
  const action = builtServerActions().find((entry) => entry.name === name);
  if (!action) throw new Error(`${name} is not in the build's server reference manifest`);
  return action;
}
