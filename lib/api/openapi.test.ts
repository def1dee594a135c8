import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, createDocumentationApp } from "./document";
import { OPENAPI_PATH, type OpenApiDocument } from "./openapi";

/**
 * The document must describe every route the API app really mounts, and only those. Routes are
 * read from Hono's own table (`app.routes`), so a route added later, by `app.openapi` or by hand,
 * is checked without this test knowing about it.
 */
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Hono's `/a/:id` (or `/a/:id{[0-9]+}`) as OpenAPI's `/a/{id}`. */
function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
}

/**
 * Hono lists middleware and handlers alike, once per handler. Entries for one method are routes
 * (`app.get`, `app.post`, `app.openapi`). Entries for method ALL are either middleware scoped to a
 * prefix (`app.use("/oauth/*", …)`), which serve no path of their own, or catch-alls on one path
 * (`app.all(path, …)`, the 405s) that answer the methods a path has no route for: those paths
 * must be documented, but not as operations of their own.
 */
function mountedRoutes(app: ReturnType<typeof createDocumentationApp>) {
  const operations = new Set<string>();
  const catchAllPaths = new Set<string>();
  for (const { method, path } of app.routes) {
    if (method !== "ALL") operations.add(`${method} ${openApiPath(path)}`);
    else if (!path.endsWith("*")) catchAllPaths.add(openApiPath(path));
  }
  return { operations: [...operations], catchAllPaths: [...catchAllPaths] };
}

function documentedOperations(document: OpenApiDocument): string[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => method in item).map(
      (method) => `${method.toUpperCase()} ${path}`,
    ),
  );
}

async function servedDocument(app: ReturnType<typeof createDocumentationApp>) {
  const response = await app.request(OPENAPI_PATH);
  expect(response.status).toBe(200);
  return (await response.json()) as OpenApiDocument;
}

describe("the OpenAPI document", () => {
  const app = createDocumentationApp();
  const mounted = mountedRoutes(app);

  it("reads the routes the app mounts", () => {
    // Guards the test itself: an empty or misread route table would pass everything below.
    expect(mounted.operations).toEqual(
      expect.arrayContaining([
        "POST /oauth/token",
        "GET /.well-known/oauth-authorization-server",
        "POST /api/v1/auth-configs/{identifier}/token",
      ]),
    );
    expect(mounted.catchAllPaths).toContain("/oauth/token");
  });

  it("documents every route the server mounts", async () => {
    const documented = new Set(documentedOperations(await servedDocument(app)));
    const missing = mounted.operations.filter((operation) => !documented.has(operation));
    expect(missing, "routes mounted but missing from the document").toEqual([]);
  });

  it("documents the paths that only a catch-all answers for other methods", async () => {
    const paths = Object.keys((await servedDocument(app)).paths ?? {});
    const missing = mounted.catchAllPaths.filter((path) => !paths.includes(path));
    expect(missing, "catch-all paths missing from the document").toEqual([]);
  });

  it("documents no route the server does not mount", async () => {
    const routes = new Set(mounted.operations);
    const unmounted = documentedOperations(await servedDocument(app)).filter(
      (operation) => !routes.has(operation),
    );
    expect(unmounted, "operations documented but not mounted").toEqual([]);
  });

  it("is the same document the console's Docs page builds in-process", async () => {
    expect(buildOpenApiDocument()).toEqual(await servedDocument(app));
  });
});

describe("the OpenAPI document's structure", () => {
  const document = buildOpenApiDocument();
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => method in item).map((method) => ({
      name: `${method.toUpperCase()} ${path}`,
      path,
      operation: (item as Record<string, OperationLike>)[method] as OperationLike,
    })),
  );

  it("validates against the OpenAPI 3.1 schema", async () => {
    const validator = new Validator();
    // A plain JSON copy, as /api/openapi.json sends it; the built document is shared by all.
    const result = await validator.validate(JSON.parse(JSON.stringify(document)));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("resolves every $ref", () => {
    const unresolved = references(document).filter((ref) => resolvePointer(document, ref) == null);
    expect(references(document).length).toBeGreaterThan(0);
    expect(unresolved).toEqual([]);
  });

  it("gives every operation an id, a summary, a declared tag and responses", () => {
    const tags = new Set(document.tags?.map((tag) => tag.name));
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { name, operation } of operations) {
      expect({ name, id: typeof operation.operationId }).toEqual({ name, id: "string" });
      expect({ name, summary: Boolean(operation.summary) }).toEqual({ name, summary: true });
      expect({ name, tags: operation.tags?.filter((tag) => tags.has(tag)).length }).toEqual({
        name,
        tags: 1,
      });
      const statuses = Object.keys(operation.responses ?? {});
      expect({ name, success: statuses.some((status) => /^2/.test(status)) }).toEqual({
        name,
        success: true,
      });
    }
  });

  it("declares every path template parameter, and every security scheme it names", () => {
    const schemes = new Set(Object.keys(document.components?.securitySchemes ?? {}));
    for (const { name, path, operation } of operations) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? [])
        .filter((parameter) => parameter.in === "path" && parameter.required)
        .map((parameter) => parameter.name);
      expect({ name, parameters: declared.sort() }).toEqual({ name, parameters: templated.sort() });
      const named = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
      expect({ name, undeclared: named.filter((scheme) => !schemes.has(scheme)) }).toEqual({
        name,
        undeclared: [],
      });
    }
  });

  it("describes the OAuth form bodies and error shapes", () => {
    const token = operations.find(({ name }) => name === "POST /oauth/token")?.operation;
    expect(Object.keys(token?.requestBody?.content ?? {})).toEqual([
      "application/x-www-form-urlencoded",
    ]);
    expect(document.components?.schemas?.ClientCredentialsGrantRequest).toMatchObject({
      required: ["grant_type"],
      properties: { grant_type: { enum: ["client_credentials"] }, scope: { type: "string" } },
    });
    expect(document.components?.schemas?.OAuthError).toMatchObject({
      required: ["error", "error_description"],
    });
    expect(token?.security).toEqual([{ clientSecretBasic: [] }, {}]);
  });
});

interface OperationLike {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, unknown>;
}

function references(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(references);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === "$ref" && typeof child === "string" ? [child] : references(child),
  );
}

/** A local JSON pointer (`#/components/schemas/Problem`); anything else does not resolve. */
function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>(
      (node, part) =>
        node !== null && typeof node === "object"
          ? (node as Record<string, unknown>)[part]
          : undefined,
      document,
    );
}
