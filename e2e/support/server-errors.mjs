/**
 * Loaded with --import into the e2e servers (playwright.config.ts, e2e/postgres-server.ts): each
 * console.error call, ours or Next's, is also appended as one JSON line to
 * $AUTHDESK_E2E_ERROR_DIR/server-errors-<PORT>.jsonl, which e2e/global-teardown.ts reads. A
 * passing suite over a server that logged errors is not a pass.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { format } from "node:util";

const directory = process.env.AUTHDESK_E2E_ERROR_DIR;
if (directory) {
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `server-errors-${process.env.PORT}.jsonl`);
  // Each server process starts with a fresh file: what a previous run logged is not this one's.
  writeFileSync(file, "");
  const original = console.error;
  console.error = (...args) => {
    appendFileSync(file, `${JSON.stringify(format(...args))}\n`);
    original.apply(console, args);
  };
}
