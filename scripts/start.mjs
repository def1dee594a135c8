// `npm start`: builds the production bundle when the sources changed since the last build (or
// there is none), then runs server.ts. A fresh clone therefore needs only `npm install && npm start`.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.dirname(import.meta.dirname);
const stampFile = path.join(root, ".next", "authdesk-source-hash");
const SOURCES = [
  "app",
  "components",
  "lib",
  "db",
  "public",
  "next.config.js",
  "postcss.config.mjs",
  "package-lock.json",
];

function* filesUnder(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return;
  if (statSync(full).isFile()) {
    yield full;
    return;
  }
  for (const child of readdirSync(full, { withFileTypes: true })) {
    if (child.name === "node_modules" || child.name.endsWith(".test.ts")) continue;
    yield* filesUnder(path.join(entry, child.name));
  }
}

function sourceHash() {
  const hash = createHash("sha256");
  for (const entry of SOURCES) {
    for (const file of filesUnder(entry)) hash.update(file).update(readFileSync(file));
  }
  return hash.digest("hex");
}

const current = sourceHash();
const built =
  existsSync(path.join(root, ".next", "BUILD_ID")) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, "utf8") === current;
if (!built) {
  console.log("Building Authdesk (first start, or the sources changed)…");
  const build = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeFileSync(stampFile, current);
}

const server = spawn(
  process.execPath,
  ["--import", "tsx", "--import", "./scripts/server-only-hook.mjs", "server.ts"],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
