import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { e2ePorts } from "./support/ports";

/**
 * Fails the run when an e2e server logged an error (console.error, captured by
 * support/server-errors.mjs) that is not on the allow-list below: an error in the server's log
 * is a bug even when every page looked right.
 */

export const SERVER_ERROR_DIR = path.resolve(".e2e-logs");

/** Errors the specs cause on purpose, each with the reason. */
const EXPECTED_ERRORS: Array<{ pattern: RegExp; reason: string }> = [
  {
    pattern: /auth config "sealed-copied": Cannot open sealed value/,
    reason:
      "unreadable.spec.ts tampers with a sealed value; the operator must see that in the log (once an hour per config)",
  },
];

function loggedErrors(port: number): string[] {
  const file = path.join(SERVER_ERROR_DIR, `server-errors-${port}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string);
}

export default function checkServerErrors(): void {
  const ports = process.env.DATABASE_URL
    ? [e2ePorts.pglite, e2ePorts.postgres, e2ePorts.postgresSecond]
    : [e2ePorts.pglite];
  const unexpected = ports.flatMap((port) =>
    loggedErrors(port)
      .filter((entry) => !EXPECTED_ERRORS.some(({ pattern }) => pattern.test(entry)))
      .map((entry) => `[server on ${port}] ${entry.slice(0, 2_000)}`),
  );
  if (unexpected.length > 0) {
    throw new Error(
      `The e2e servers logged ${unexpected.length} unexpected error(s):\n\n${unexpected.join("\n\n")}`,
    );
  }
}
