import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      "server-only": path.join(root, "lib/testing/server-only.ts"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Cheap password hashes in tests only (lib/auth/password.ts); production ignores it.
    env: { AUTHDESK_TEST_SCRYPT_LOG2_N: "10" },
  },
});
