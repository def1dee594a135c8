import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./document";
import type { OpenApiDocument } from "./openapi";
import { outlineApi } from "./openapi-outline";

describe("outlineApi on our document", () => {
  const outline = outlineApi(buildOpenApiDocument());
  const operation = (method: string, path: string) =>
    outline.areas
      .flatMap((area) => area.operations)
      .find((candidate) => candidate.method === method && candidate.path === path);

  it("groups operations into the document's areas, in its order", () => {
    expect(outline.areas.map((area) => area.name)).toEqual([
      "OAuth server",
      "Auth configs",
      "Integrations",
      "Health",
      "API description",
    ]);
    expect(outline.areas[0]?.operations.map((item) => `${item.method} ${item.path}`)).toEqual([
      "POST /oauth/token",
      "POST /oauth/introspect",
      "POST /oauth/revoke",
      "GET /.well-known/oauth-authorization-server",
    ]);
  });

  it("flattens the token request's form fields, with their limits and allowed values", () => {
    const token = operation("POST", "/oauth/token");
    expect(token?.requestBody).toMatchObject({
      mediaType: "application/x-www-form-urlencoded",
      required: true,
      schema: { name: "ClientCredentialsGrantRequest" },
    });
    const fields = token?.requestBody?.schema.fields ?? [];
    expect(fields.map((field) => [field.name, field.required])).toEqual([
      ["grant_type", true],
      ["scope", false],
      ["client_id", false],
      ["client_secret", false],
    ]);
    expect(fields[0]?.schema).toMatchObject({ type: "string", values: ["client_credentials"] });
    expect(fields[1]?.schema.constraints).toEqual([
      expect.stringMatching(/^matches \^\[/),
      'example "all:read"',
    ]);
  });

  it("names the security alternatives, including the one without HTTP credentials", () => {
    expect(operation("POST", "/oauth/token")?.security).toEqual([
      [expect.objectContaining({ name: "clientSecretBasic", kind: "HTTP Basic" })],
      [],
    ]);
    expect(operation("POST", "/api/v1/auth-configs/{identifier}/token")?.security).toEqual([
      [expect.objectContaining({ name: "bearerAuth", kind: "HTTP Bearer" })],
      [expect.objectContaining({ name: "basicAuth", kind: "HTTP Basic" })],
    ]);
    expect(operation("GET", "/api/health")?.security).toEqual([]);
  });

  it("resolves response schemas, variants and headers", () => {
    const introspect = operation("POST", "/oauth/introspect");
    const ok = introspect?.responses.find((response) => response.status === "200");
    expect(ok?.body?.schema).toMatchObject({ name: "IntrospectionResponse", type: "one of" });
    expect(ok?.body?.schema.variants.map((variant) => variant.name)).toEqual([
      "ActiveToken",
      "InactiveToken",
    ]);
    expect(ok?.body?.schema.variants[1]?.constraints).toContain("no other fields");
    const unauthorised = introspect?.responses.find((response) => response.status === "401");
    expect(unauthorised?.headers.map((header) => header.name)).toContain("WWW-Authenticate");
    expect(unauthorised?.body?.schema.name).toBe("OAuthError");
    const revoked = operation("POST", "/oauth/revoke")?.responses[0];
    expect(revoked).toMatchObject({ status: "200", body: undefined });
  });

  it("lists path parameters", () => {
    expect(operation("POST", "/api/v1/auth-configs/{identifier}/token")?.parameters).toEqual([
      expect.objectContaining({ name: "identifier", location: "path", required: true }),
    ]);
  });
});

describe("outlineApi on documents to come", () => {
  const document: OpenApiDocument = {
    openapi: "3.1.0",
    info: { title: "T", version: "1" },
    tags: [{ name: "Declared", description: "first" }],
    paths: {
      "/api/integrations/v1/things": {
        post: {
          tags: ["Integrations"],
          responses: { "201": { description: "Created" } },
          requestBody: {
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["name"],
                  properties: {
                    name: { type: "string", minLength: 1, maxLength: 100 },
                    kind: { type: "string", enum: ["a", "b"] },
                    tags: { type: "array", items: { type: "string" }, maxItems: 5 },
                    parent: { $ref: "#/components/schemas/Node" },
                  },
                },
              },
            },
          },
        },
      },
      "/untagged": { get: { responses: { "204": { description: "Nothing" } } } },
    },
    components: {
      schemas: {
        Node: {
          type: ["object", "null"],
          properties: { child: { $ref: "#/components/schemas/Node" } },
        },
      },
    },
  };

  it("adds undeclared tags and untagged operations after the declared areas", () => {
    const outline = outlineApi(document);
    expect(outline.areas.map((area) => [area.name, area.id])).toEqual([
      ["Integrations", "area-integrations"],
      ["Other", "area-other"],
    ]);
    expect(outline.areas[0]?.operations[0]?.id).toBe("post-api-integrations-v1-things");
  });

  it("describes limits, enums and arrays, and stops at a self-reference", () => {
    const fields = outlineApi(document).areas[0]?.operations[0]?.requestBody?.schema.fields ?? [];
    expect(
      fields.map((field) => [field.name, field.schema.type, field.schema.constraints]),
    ).toEqual([
      ["name", "string", ["at least 1 character", "at most 100 characters"]],
      ["kind", "string", []],
      ["tags", "array of string", ["at most 5 items"]],
      ["parent", "object or null", []],
    ]);
    expect(fields[1]?.schema.values).toEqual(["a", "b"]);
    let depth = 0;
    for (let node = fields[3]?.schema; node?.fields[0]; node = node.fields[0].schema) depth++;
    expect(depth).toBeLessThan(10);
  });
});
