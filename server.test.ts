import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Start-up checks run before Next or the database are touched, so these start the real
 * server.ts and need no build.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), "authdesk-startup-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function start(env: Record<string, string>) {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", "./scripts/server-only-hook.mjs", "server.ts"],
    {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        PORT: "0",
        AUTHDESK_DATA_DIR: dataDir,
        ...env,
      },
      encoding: "utf8",
      timeout: 30_000,
    },
  );
  return { status: result.status, stderr: result.stderr };
}

const KEY = Buffer.alloc(32, 7).toString("base64");

describe("server start-up", () => {
  it("refuses PostgreSQL without an encryption key, and says how to make one", () => {
    const { status, stderr } = start({ DATABASE_URL: "postgres://postgres@127.0.0.1:5432/none" });
    expect(status).toBe(1);
    expect(stderr).toContain("AUTHDESK_ENCRYPTION_KEYS is required when DATABASE_URL is set");
    expect(stderr).toContain("npm run keys:generate");
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it("refuses a malformed key without echoing it", () => {
    const shortKey = Buffer.alloc(16, 9).toString("base64");
    const { status, stderr } = start({ AUTHDESK_ENCRYPTION_KEYS: `1:${shortKey}` });
    expect(status).toBe(1);
    expect(stderr).toContain("AUTHDESK_ENCRYPTION_KEYS entry 1");
    expect(stderr).not.toContain(shortKey);
  });

  it("refuses an invalid environment, naming the variable", () => {
    const { status, stderr } = start({ PORT: "eighty", AUTHDESK_ENCRYPTION_KEYS: `1:${KEY}` });
    expect(status).toBe(1);
    expect(stderr).toContain("Authdesk cannot start: Invalid environment");
    expect(stderr).toContain("PORT");
  });
});
