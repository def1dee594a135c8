import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { SERVER_ERROR_DIR } from "./e2e/global-teardown";
import { e2ePorts, e2eUrls } from "./e2e/support/ports";

// Every port comes from E2E_PORT (default 3300), so two checkouts can run the suite side by side.
const port = e2ePorts.pglite;
const baseURL = e2eUrls.pglite;
// With DATABASE_URL set (as in CI), two more instances of the same app run on one PostgreSQL
// database: A (the postgres projects' baseURL) and B (instances.spec.ts calls it directly).
const postgresServerUrl = process.env.DATABASE_URL;
const postgresBaseURL = e2eUrls.postgres;

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
  // Fails the run when a server logged an error the specs do not expect.
  globalTeardown: "./e2e/global-teardown.ts",
  timeout: 60_000,
  // Shared two-core machines stall now and then; a slow render is not a failure.
  expect: { timeout: 10_000 },
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
      testIgnore: [
        /first-run\.spec\.ts/,
        /postgres\.spec\.ts/,
        /instances\.spec\.ts/,
        /connect-expired\.spec\.ts/,
        /unreadable\.spec\.ts/,
      ],
      dependencies: ["first-run"],
      use: { ...devices["Desktop Chrome"] },
    },
    ...(postgresServerUrl
      ? [
          // First-run setup and sign-in on PostgreSQL, then the specs that build on that admin.
          {
            name: "postgres-first-run",
            testMatch: /postgres\.spec\.ts/,
            use: { ...devices["Desktop Chrome"], baseURL: postgresBaseURL },
          },
          {
            name: "postgres",
            testMatch: /(instances|connect-expired|unreadable)\.spec\.ts/,
            dependencies: ["postgres-first-run"],
            use: { ...devices["Desktop Chrome"], baseURL: postgresBaseURL },
          },
        ]
      : []),
  ],
  // The production build, served by the same server.ts as `npm start`, on a fresh embedded database.
  webServer: [
    {
      command:
        "rm -rf .e2e-data && node --import tsx --import ./scripts/server-only-hook.mjs --import ./e2e/support/server-errors.mjs server.ts",
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
        AUTHDESK_E2E_ERROR_DIR: SERVER_ERROR_DIR,
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
            // The wrapper starts instance B, waits for its health, then starts A: this URL (A's)
            // answering means both do. SIGTERM lets it stop both and drop its database.
            gracefulShutdown: { signal: "SIGTERM" as const, timeout: 10_000 },
            env: {
              ...process.env,
              NODE_ENV: "production",
              NEXT_TELEMETRY_DISABLED: "1",
              HOST: "127.0.0.1",
              PORT: String(e2ePorts.postgres),
              E2E_POSTGRES_SECOND_PORT: String(e2ePorts.postgresSecond),
              E2E_POSTGRES_SERVER_URL: postgresServerUrl,
              AUTHDESK_E2E_ERROR_DIR: SERVER_ERROR_DIR,
            },
          },
        ]
      : []),
  ],
});
