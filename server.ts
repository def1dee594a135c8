/**
 * Authdesk's one Node server. Programs' paths (/api, /oauth, /.well-known) go to the Hono app in
 * lib/api; people's paths (pages, server actions, assets) go to Next's request handler.
 */
import http from "node:http";
import { getRequestListener } from "@hono/node-server";
import next from "next";
import { createApiApp } from "@/lib/api/app";
import { hasAnyAdmin } from "@/lib/auth/service";
import { KeyringError } from "@/lib/crypto";
import { EnvError, env } from "@/lib/env";
import { refuseConnect, refuseUnknownMethod } from "@/lib/http/methods";
import { answerRefusal, checkPageRequest, dropForwardedProtocol } from "@/lib/http/page-requests";
import { readRequestContext, setTrustedHeaders } from "@/lib/http/request-context";
import { applyApiSecurityHeaders, applyPageSecurityHeaders } from "@/lib/http/security-headers";
import { startRuntime, stopRuntime } from "@/lib/runtime";

const PROGRAM_PATHS = /^\/(api|oauth|\.well-known)(\/|$|\?)/;

async function main(): Promise<void> {
  const config = env();
  const runtime = await startRuntime();
  const dev = config.NODE_ENV !== "production";
  const nextApp = next({ dev, dir: import.meta.dirname, hostname: config.HOST, port: config.PORT });
  await nextApp.prepare();
  const handlePage = nextApp.getRequestHandler();
  const handleProgram = getRequestListener(
    createApiApp({
      db: runtime.database.db,
      keyring: runtime.keyring,
      tokenBroker: runtime.tokenBroker,
      freshCredentials: runtime.freshCredentials,
      integrations: {
        sandbox: runtime.sandbox,
        allowPrivateUrls: config.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS,
      },
      publicUrl: config.AUTHDESK_PUBLIC_URL,
      limits: { requestsPerMinute: config.AUTHDESK_API_RATE_LIMIT },
    }).fetch,
  );

  const server = http.createServer((req, res) => {
    if (refuseUnknownMethod(req, res)) return;
    const context = readRequestContext(req, config.AUTHDESK_TRUST_PROXY);
    setTrustedHeaders(req, context);
    if (PROGRAM_PATHS.test(req.url ?? "/")) {
      applyApiSecurityHeaders(res, context.https);
      void handleProgram(req, res);
      return;
    }
    applyPageSecurityHeaders(req, res, { https: context.https, dev });
    dropForwardedProtocol(req);
    checkPageRequest(req).then(
      (checked) => {
        if (checked.ok) void handlePage(checked.request, res);
        else answerRefusal(req, res, checked, context.clientAddress);
      },
      // The client went away while sending the body: nobody is left to answer.
      () => res.destroy(),
    );
  });

  server.on("connect", refuseConnect);

  server.listen(config.PORT, config.HOST, async () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.PORT;
    const url = `http://${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`;
    const database = config.DATABASE_URL
      ? "PostgreSQL"
      : `embedded PGlite in ${config.AUTHDESK_DATA_DIR}`;
    console.log(
      `Authdesk is running at ${url} (${dev ? "development" : "production"}, ${database})`,
    );
    if (!(await hasAnyAdmin(runtime.database.db))) {
      console.log(
        `No admin yet: create the first one at ${url}/setup (or run "npm run admin:create")`,
      );
    }
  });

  const shutdown = (signal: string) => {
    console.log(`Received ${signal}, shutting down`);
    server.close();
    server.closeAllConnections();
    void stopRuntime().finally(() => process.exit(0));
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  // Configuration mistakes get their message alone: a stack trace would bury it.
  if (error instanceof EnvError || error instanceof KeyringError) {
    console.error(`Authdesk cannot start: ${error.message}`);
  } else {
    console.error("Authdesk cannot start:", error);
  }
  process.exit(1);
});
