import "server-only";
import { drizzle } from "drizzle-orm/node-postgres";
import * as schema from "@/db/schema";
import type { TokenBroker } from "@/lib/auth-configs/token-broker";
import { generateKeyEntry, parseKeyring } from "@/lib/crypto";
import type { FreshCredentials } from "@/lib/integrations/oauth/fresh-credentials";
import type { Sandbox } from "@/lib/sandbox/types";
import { type ApiDependencies, createApiApp, DEFAULT_API_LIMITS } from "./app";
import { API_DOCUMENT_CONFIG, type OpenApiDocument } from "./openapi";

/**
 * The OpenAPI document, built in-process for the console's Docs page: no HTTP round trip to
 * ourselves, and no database.
 *
 * It is generated from an API app made by the same createApiApp that serves requests, so the
 * page shows exactly the routes the server mounts, described by the schemas they validate with.
 * That app is given dependencies whose handlers never run: a Drizzle handle with no connection
 * behind it (building the app prepares statements but runs none) and a token broker that
 * throws. The alternative, splitting route registration from the services it closes over, would
 * mean a second way to assemble the API that could drift from the first.
 */
export function buildOpenApiDocument(): OpenApiDocument {
  cached ??= createDocumentationApp().getOpenAPI31Document(API_DOCUMENT_CONFIG);
  return cached;
}

/** The routes cannot change while the process runs, so neither can the document. */
let cached: OpenApiDocument | undefined;

/**
 * An API app that only describes itself. Every dependency is given (`Required`), so a new
 * optional one that mounts routes, as the token broker does, cannot be left out of the document
 * by forgetting it here: the compiler asks for it.
 */
export function createDocumentationApp() {
  const db = drizzle.mock({ schema });
  return createApiApp({
    db,
    keyring: parseKeyring(generateKeyEntry(1)),
    tokenBroker: unusedTokenBroker,
    // Only the metadata's answers use the issuer; the document does not.
    publicUrl: "https://authdesk.invalid",
    limits: DEFAULT_API_LIMITS,
    lastUsed: { record: unused, settle: async () => {} },
    integrations: { sandbox: unusedSandbox, allowPrivateUrls: false },
    freshCredentials: unusedFreshCredentials,
  } satisfies Required<ApiDependencies>);
}

function unused(): never {
  throw new Error("The documentation app describes the API; it serves no requests");
}

const unusedSandbox: Sandbox = { run: unused, checkSyntax: unused, close: unused };

const unusedTokenBroker: TokenBroker = {
  getAccessToken: unused,
  forget: unused,
  flushUsage: unused,
  close: unused,
};

const unusedFreshCredentials: FreshCredentials = {
  getCredentials: unused,
  getCredentialsCheckingAccess: unused,
  close: unused,
};
