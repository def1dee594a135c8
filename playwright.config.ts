import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3300);
const baseURL = `http://127.0.0.1:${port}`;
// With DATABASE_URL set (as in CI), a second server runs the same app on PostgreSQL.
const postgresServerUrl = process.env.DATABASE_URL;
const postgresPort = port + 1;
const postgresBaseURL = `http://127.0.0.1:${postgresPort}`;

// Debian's Chromium when it is installed (CI, offline machines); Playwright's own otherwise.
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) =>
  existsSync(path),
);

export default defineConfig({
  testDir: "e2e",
  // The specs share one server and one database, and build on first-run setup.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"]],
  timeout: 60_000,
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: systemChromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "first-run", testMatch: /first-run\.spec\.ts/, use: { ...devices["Desktop Chrome"] } },
    {
      name: "console",
      testIgnore: [/first-run\.spec\.ts/, /postgres\.spec\.ts/],
      dependencies: ["first-run"],
      use: { ...devices["Desktop Chrome"] },
    },
    ...(postgresServerUrl
      ? [
          {
            name: "postgres",
            testMatch: /postgres\.spec\.ts/,
            use: { ...devices["Desktop Chrome"], baseURL: postgresBaseURL },
          },
        ]
      : []),
  ],
  // The production build, served by the same server.ts as `npm start`, on a fresh embedded database.
  webServer: [
    {
      command:
        "rm -rf .e2e-data && node --import tsx --import ./scripts/server-only-hook.mjs server.ts",
      url: `${baseURL}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        HOST: "127.0.0.1",
        PORT: String(port),
        AUTHDESK_DATA_DIR: ".e2e-data",
        DATABASE_URL: "",
        AUTHDESK_ENCRYPTION_KEYS: "",
        // Lets security.spec.ts play an https proxy with X-Forwarded-Proto.
        AUTHDESK_TRUST_PROXY: "true",
        // Lets auth-configs.spec.ts test configs against its loopback OAuth server.
        AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS: "true",
      },
    },
    ...(postgresServerUrl
      ? [
          {
            command:
              "node --import tsx --import ./scripts/server-only-hook.mjs e2e/postgres-server.ts",
            url: `${postgresBaseURL}/api/health`,
            timeout: 120_000,
            reuseExistingServer: false,
            stdout: "pipe" as const,
            // SIGTERM lets the wrapper drop its database before it exits.
            gracefulShutdown: { signal: "SIGTERM" as const, timeout: 10_000 },
            env: {
              ...process.env,
              NODE_ENV: "production",
              NEXT_TELEMETRY_DISABLED: "1",
              HOST: "127.0.0.1",
              PORT: String(postgresPort),
              E2E_POSTGRES_SERVER_URL: postgresServerUrl,
            },
          },
        ]
      : []),
  ],
});
