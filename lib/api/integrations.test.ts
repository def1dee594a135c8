import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents } from "@/db/schema";
import type { ChangeContext } from "@/lib/audit/service";
import {
  adminContext,
  type CredentialService,
  SEED_EXAMPLE_BODY,
  startCredentialService,
} from "@/lib/integrations/integrations.testing";
import { createIntegration, setApiAccess } from "@/lib/integrations/service";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  type ApiServer,
  accessTokenFor,
  basicHeader,
  insertClient,
  insertTill,
  startApiServer,
  type TestClient,
} from "./api.testing";

const CANARY = "canary-7d1e-write-only";

describe.each(testDrivers)("integrations API on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let service: CredentialService;
  let server: ApiServer;
  let context: ChangeContext;
  let manager: TestClient;
  let reader: TestClient;
  let outsider: TestClient;
  let tillAuthorization: string;
  const logged: string[] = [];

  const bearerFor = async (client: TestClient) => `Bearer ${await accessTokenFor(server, client)}`;

  /** What a program written against the seed sends: JSON with a Bearer token, from a server. */
  function call(method: string, path: string, authorization: string, body?: unknown) {
    return fetch(`${server.url}/api/integrations/v1/${path}`, {
      method,
      headers: {
        authorization,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  beforeAll(async () => {
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(
          args
            .map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg)))
            .join(" "),
        );
      });
    }
    handle = await createTestDatabase(driver);
    // A generous deadline: these tests are about the rules around the sandbox, and a busy CI
    // machine must not turn a slow passing test run into a failure (sandbox.test.ts covers limits).
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    service = await startCredentialService();
    context = await adminContext(handle.db);
    server = await startApiServer({
      db: handle.db,
      integrations: { sandbox, allowPrivateUrls: true },
      limits: { requestsPerMinute: 200 },
    });
    const till = await insertTill(handle.db);
    tillAuthorization = basicHeader(till.code, till.password);
    manager = await insertClient(handle.db, {
      tillId: till.id,
      permissions: { integrations: "write" },
    });
    reader = await insertClient(handle.db, {
      tillId: till.id,
      permissions: { integrations: "read" },
    });
    outsider = await insertClient(handle.db, { tillId: till.id, permissions: { all: "write" } });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await server?.close();
    await sandbox?.close();
    await service?.close();
    await handle?.close();
  });

  const newIntegration = async () =>
    (await createIntegration(handle.db, { name: "Seed example", description: "" }, context)).id;

  it("accepts the seed's example request as written and answers the seed's shape", async () => {
    const integrationId = await newIntegration();
    const response = await fetch(`${server.url}/api/integrations/v1/${integrationId}/auth`, {
      method: "PATCH",
      headers: { Authorization: await bearerFor(manager), "Content-Type": "application/json" },
      body: JSON.stringify(SEED_EXAMPLE_BODY),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { integration: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(["integration"]);
    const integration = body.integration;
    expect(Object.keys(integration).sort()).toEqual([
      "authFields",
      "authTestCode",
      "authType",
      "id",
      "oauthClient",
    ]);
    expect(integration.id).toBe(integrationId);
    expect(integration.authType).toBe("API_KEY");
    expect(integration.authTestCode).toBe(SEED_EXAMPLE_BODY.authTestCode);
    expect(integration.oauthClient).toBeNull();
    const fields = integration.authFields as Record<string, unknown>[];
    expect(fields).toHaveLength(2);
    for (const [index, field] of fields.entries()) {
      const sent = SEED_EXAMPLE_BODY.authFields[index];
      expect(Object.keys(field).sort()).toEqual([
        "description",
        "label",
        "placeholder",
        "required",
        "slug",
        "type",
      ]);
      expect(field).toEqual({ ...sent });
    }
    // GET answers the same shape, so a program can read what it wrote.
    const read = await call("GET", integrationId, await bearerFor(reader));
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(body);
  });

  it("fills the seed's defaults: description '', placeholder null, required false", async () => {
    const integrationId = await newIntegration();
    const response = await call("PATCH", `${integrationId}/auth`, await bearerFor(manager), {
      authType: "API_KEY",
      authFields: [{ slug: "key", label: "Key", type: "TEXT" }],
    });
    expect(await response.json()).toMatchObject({
      integration: {
        authTestCode: null,
        authFields: [
          {
            slug: "key",
            label: "Key",
            type: "TEXT",
            description: "",
            placeholder: null,
            required: false,
          },
        ],
      },
    });
  });

  it("answers bad input with 400 problem details naming the field path", async () => {
    const integrationId = await newIntegration();
    const authorization = await bearerFor(manager);
    const cases: [unknown, string][] = [
      [{ authType: "BASIC" }, "authType"],
      [
        { authType: "API_KEY", authFields: [{ slug: "a", label: "A", type: "TEXT", id: "x" }] },
        "authFields.0",
      ],
      [
        { authType: "API_KEY", authFields: [{ slug: "a b", label: "A", type: "TEXT" }] },
        "authFields.0.slug",
      ],
      [
        {
          authType: "API_KEY",
          authFields: [
            { slug: "a", label: "A", type: "TEXT" },
            { slug: "a", label: "B", type: "TEXT" },
          ],
        },
        "authFields.1.slug",
      ],
      [
        { authType: "API_KEY", authFields: [{ slug: "a", label: "x".repeat(101), type: "TEXT" }] },
        "authFields.0.label",
      ],
      [{ authType: "API_KEY", authTestCode: "x".repeat(1001) }, "authTestCode"],
      [{ authType: "API_KEY", authTestCode: "return {;" }, "authTestCode"],
      [{ authType: "API_KEY", oauthClient: { scopes: "a" } }, "oauthClient"],
      [{ authType: "OAUTH", oauthClient: { tokenUrl: "not a url" } }, "oauthClient.tokenUrl"],
      [
        { authType: "OAUTH", oauthClient: { clientSecret: "s".repeat(501) } },
        "oauthClient.clientSecret",
      ],
      [{ authType: "NONE", extra: true }, ""],
      [[], ""],
    ];
    for (const [body, path] of cases) {
      const response = await call("PATCH", `${integrationId}/auth`, authorization, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await response.json()) as { errors: { path: string; message: string }[] };
      expect(problem.errors.map((error) => error.path)).toContain(path);
    }
    const syntax = await call("PATCH", `${integrationId}/auth`, authorization, {
      authType: "API_KEY",
      authTestCode: "return {;",
    });
    expect(((await syntax.json()) as { detail: string }).detail).toMatch(
      /^authTestCode: SyntaxError/,
    );
  });

  it("answers hostile input in every field with a 4xx, never a 500", async () => {
    const integrationId = await newIntegration();
    const authorization = await bearerFor(manager);
    const patch = (body: unknown) => call("PATCH", `${integrationId}/auth`, authorization, body);
    const cases: [string, Promise<Response>, number, string?][] = [
      [
        "NUL in a label",
        patch({ authType: "API_KEY", authFields: [{ slug: "k", label: "A\u0000", type: "TEXT" }] }),
        400,
        "authFields.0.label",
      ],
      [
        "NUL in test code",
        patch({ authType: "API_KEY", authTestCode: "return 1;\u0000" }),
        400,
        "authTestCode",
      ],
      [
        "a reserved slug",
        patch({
          authType: "API_KEY",
          authFields: [{ slug: "__proto__", label: "P", type: "TEXT" }],
        }),
        400,
        "authFields.0.slug",
      ],
      [
        "fields for NONE",
        patch({ authType: "NONE", authFields: [{ slug: "k", label: "K", type: "TEXT" }] }),
        400,
        "authFields",
      ],
      [
        "a NUL end user",
        call("POST", `${integrationId}/connections`, authorization, {
          endUserId: "u\u0000",
          values: {},
        }),
        400,
        "endUserId",
      ],
      [
        "a NUL connection id",
        call("DELETE", `${integrationId}/connections/%00`, authorization),
        404,
      ],
      [
        "an odd connection id",
        call("GET", `${integrationId}/connections/conn_%F0%9F%91%8D/credentials`, authorization),
        404,
      ],
      [
        "a cursor for year 0",
        call(
          "GET",
          `${integrationId}/connections?cursor=${Buffer.from("0000-01-01T00:00:00.000Z|conn_00000000000000000000").toString("base64url")}`,
          authorization,
        ),
        400,
        "cursor",
      ],
      [
        "a limit of zero",
        call("GET", `${integrationId}/connections?limit=0`, authorization),
        400,
        "limit",
      ],
    ];
    for (const [name, pending, status, path] of cases) {
      const response = await pending;
      expect({ name, status: response.status }).toEqual({ name, status });
      const problem = (await response.json()) as { errors?: { path: string }[] };
      if (path)
        expect(
          problem.errors?.map((error) => error.path),
          name,
        ).toContain(path);
    }
  });

  it("keeps NUMBER values exactly as sent and refuses what is not a finite number", async () => {
    const integrationId = await newIntegration();
    const authorization = await bearerFor(manager);
    await call("PATCH", `${integrationId}/auth`, authorization, {
      authType: "SERVICE_ACCOUNT",
      authFields: [{ slug: "account", label: "Account", type: "NUMBER", required: true }],
    });
    const post = (account: unknown) =>
      call("POST", `${integrationId}/connections`, authorization, { values: { account } });
    for (const refused of [
      "1e999",
      "12abc",
      `${"1".repeat(9_999)}x`,
      "1".repeat(10_001),
      "Infinity",
    ]) {
      const response = await post(refused);
      expect({ refused: refused.slice(0, 12), status: response.status }).toEqual({
        refused: refused.slice(0, 12),
        status: 400,
      });
    }
    const digits = "123456789012345678901234567890";
    const created = (await (await post(` ${digits} `)).json()) as { connection: { id: string } };
    const read = await call(
      "GET",
      `${integrationId}/connections/${created.connection.id}/credentials`,
      authorization,
    );
    expect(await read.json()).toMatchObject({ credentials: { account: digits } });
    expect((await post(42.5)).status).toBe(200);
  });

  it("answers 409 to posted values for an OAuth integration", async () => {
    const integrationId = await newIntegration();
    const authorization = await bearerFor(manager);
    await call("PATCH", `${integrationId}/auth`, authorization, { authType: "OAUTH" });
    const response = await call("POST", `${integrationId}/connections`, authorization, {
      endUserId: "u",
      values: {},
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ title: "Connect through OAuth" });
  });

  it("lets one caller run at most two code-running requests at once", async () => {
    const integrationId = await newIntegration();
    const authorization = await bearerFor(manager);
    await call("PATCH", `${integrationId}/auth`, authorization, {
      ...SEED_EXAMPLE_BODY,
      authTestCode: "await fetch(secrets.base_url + '/slow?ms=400'); return true;",
    });
    const statuses = await Promise.all(
      ["a", "b", "c"].map(async (endUserId) => {
        const response = await call("POST", `${integrationId}/connections`, authorization, {
          endUserId,
          values: { api_key: "k", base_url: service.url },
        });
        return response.status;
      }),
    );
    expect(statuses.sort()).toEqual([201, 201, 429]);
  });

  it("counts characters as people see them: 100 emoji fit a 100-character label", async () => {
    const integrationId = await newIntegration();
    const authorization = await bearerFor(manager);
    const label = "👍🏽".repeat(100); // 400 UTF-16 code units, 100 characters
    const fits = await call("PATCH", `${integrationId}/auth`, authorization, {
      authType: "API_KEY",
      authFields: [{ slug: "k", label, type: "TEXT" }],
    });
    expect(fits.status).toBe(200);
    const over = await call("PATCH", `${integrationId}/auth`, authorization, {
      authType: "API_KEY",
      authFields: [{ slug: "k", label: `${label}👍🏽`, type: "TEXT" }],
    });
    expect(over.status).toBe(400);
  });

  it("answers malformed JSON, other media types and huge bodies with 4xx, never a 500", async () => {
    const integrationId = await newIntegration();
    const authorization = await bearerFor(manager);
    const url = `${server.url}/api/integrations/v1/${integrationId}/auth`;
    const malformed = await fetch(url, {
      method: "PATCH",
      headers: { authorization, "content-type": "application/json" },
      body: "{ not json",
    });
    expect(malformed.status).toBe(400);
    const text = await fetch(url, {
      method: "PATCH",
      headers: { authorization, "content-type": "text/plain" },
      body: "x",
    });
    expect(text.status).toBe(415);
    const huge = await fetch(url, {
      method: "PATCH",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({ authType: "NONE", pad: "x".repeat(300 * 1024) }),
    });
    expect(huge.status).toBe(413);
  });

  it("answers 400 for a malformed id, 404 for an unknown one, 401 without credentials", async () => {
    const authorization = await bearerFor(manager);
    const bad = await call("GET", "not-a-uuid", authorization);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ path: "integrationId" }] });
    const unknown = await call(
      "PATCH",
      "00000000-0000-4000-8000-000000000000/auth",
      authorization,
      { authType: "NONE" },
    );
    expect(unknown.status).toBe(404);
    expect((await call("GET", await newIntegration(), "")).status).toBe(401);
    expect((await call("GET", await newIntegration(), "Bearer adk_at_forged.token")).status).toBe(
      401,
    );
  });

  it("needs INTEGRATION_API to change anything, and refuses browsers", async () => {
    const integrationId = await newIntegration();
    const readOnly = await call("PATCH", `${integrationId}/auth`, await bearerFor(reader), {
      authType: "NONE",
    });
    expect(readOnly.status).toBe(403);
    expect(await readOnly.json()).toMatchObject({
      error: "insufficient_scope",
      scope: "INTEGRATION_API",
    });
    const noScope = await call("GET", integrationId, await bearerFor(outsider));
    expect(noScope.status).toBe(403);
    const fromBrowser = await fetch(`${server.url}/api/integrations/v1/${integrationId}`, {
      headers: { authorization: await bearerFor(manager), origin: "https://evil.example" },
    });
    expect(fromBrowser.status).toBe(403);
    expect(await fromBrowser.json()).toMatchObject({ title: "Browser requests are not accepted" });
  });

  it("answers 403 to a client outside the integration's access list", async () => {
    const integrationId = await newIntegration();
    const other = await insertClient(handle.db, {
      tillId: (await insertTill(handle.db)).id,
      permissions: { integrations: "write" },
    });
    await setApiAccess(
      handle.db,
      integrationId,
      { mode: "selected", clientIds: [manager.id] },
      context,
    );
    const refused = await call("GET", integrationId, await bearerFor(other));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ title: "No access to this integration" });
    expect((await call("GET", integrationId, tillAuthorization)).status).toBe(403);
    expect((await call("GET", integrationId, await bearerFor(manager))).status).toBe(200);
  });

  it("answers 429 once a client's request limit is used up", async () => {
    const integrationId = await newIntegration();
    const busy = await insertClient(handle.db, {
      tillId: (await insertTill(handle.db)).id,
      permissions: { integrations: "write" },
    });
    const authorization = await bearerFor(busy);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 205 && !statuses.includes(429); attempt++) {
      statuses.push((await call("GET", integrationId, authorization)).status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it("never returns, logs or audits the write-only OAuth credentials", async () => {
    const integrationId = await newIntegration();
    const authorization = await bearerFor(manager);
    const oauthClient = {
      scopes: "read",
      label: "Connect",
      authUrl: `https://idp.example.com/${CANARY}/authorize`,
      tokenUrl: `https://idp.example.com/${CANARY}/token`,
      clientId: `${CANARY}-id`,
      clientSecret: `${CANARY}-secret`,
    };
    const texts: string[] = [];
    const patched = await call("PATCH", `${integrationId}/auth`, authorization, {
      authType: "OAUTH",
      oauthClient,
    });
    expect(patched.status).toBe(200);
    texts.push(await patched.text());
    // Invalid follow-ups must not echo the stored or the sent values either.
    const invalid = await call("PATCH", `${integrationId}/auth`, authorization, {
      authType: "OAUTH",
      oauthClient: { ...oauthClient, clientSecret: `${CANARY}${"x".repeat(600)}` },
    });
    expect(invalid.status).toBe(400);
    texts.push(await invalid.text());
    texts.push(await (await call("GET", integrationId, authorization)).text());
    expect(JSON.parse(texts[0] as string)).toMatchObject({
      integration: {
        oauthClient: {
          scopes: "read",
          label: "Connect",
          authorizationCode: "",
          accessTokenCode: "",
          refreshTokenCode: "",
        },
      },
    });
    for (const text of texts) expect(text).not.toContain(CANARY);
    const audit = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, integrationId));
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(CANARY);
    expect(logged.join("\n")).not.toContain(CANARY);
  });

  describe("connections", () => {
    let integrationId: string;
    let authorization: string;
    const values = () => ({ api_key: service.goodKey, base_url: service.url });

    beforeAll(async () => {
      integrationId = await newIntegration();
      authorization = await bearerFor(manager);
      const configured = await call(
        "PATCH",
        `${integrationId}/auth`,
        authorization,
        SEED_EXAMPLE_BODY,
      );
      expect(configured.status).toBe(200);
    });

    it("stores a connection whose values pass the test, and hands its credentials back uncached", async () => {
      const created = await call("POST", `${integrationId}/connections`, authorization, {
        endUserId: "user-42",
        values: values(),
      });
      expect(created.status).toBe(201);
      const { connection } = (await created.json()) as {
        connection: { id: string; endUserId: string };
      };
      expect(connection.endUserId).toBe("user-42");
      expect(JSON.stringify(connection)).not.toContain(service.goodKey);

      const listed = await call("GET", `${integrationId}/connections`, await bearerFor(reader));
      expect(listed.status).toBe(200);
      const listText = await listed.text();
      expect(listText).toContain(connection.id);
      expect(listText).not.toContain(service.goodKey);

      const credentials = await call(
        "GET",
        `${integrationId}/connections/${connection.id}/credentials`,
        authorization,
      );
      expect(credentials.status).toBe(200);
      expect(credentials.headers.get("cache-control")).toBe("no-store");
      expect(await credentials.json()).toMatchObject({ credentials: values() });
      const readerAttempt = await call(
        "GET",
        `${integrationId}/connections/${connection.id}/credentials`,
        await bearerFor(reader),
      );
      expect(readerAttempt.status).toBe(403);
      const [audited] = await handle.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.action, "integration.connection_credentials_read"));
      expect(audited).toMatchObject({ actorType: "api_client", actorLabel: manager.clientKey });

      const again = await call("POST", `${integrationId}/connections`, authorization, {
        endUserId: "user-42",
        values: values(),
      });
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({
        replaced: true,
        connection: { id: connection.id },
      });

      expect(
        (await call("DELETE", `${integrationId}/connections/${connection.id}`, authorization))
          .status,
      ).toBe(204);
      expect(
        (await call("DELETE", `${integrationId}/connections/${connection.id}`, authorization))
          .status,
      ).toBe(404);
    });

    it("answers 422 with the code's message when the test fails, and stores nothing", async () => {
      const badKey = "sk-wrong-value-0001";
      const response = await call("POST", `${integrationId}/connections`, authorization, {
        endUserId: "user-43",
        values: { api_key: badKey, base_url: service.url },
      });
      expect(response.status).toBe(422);
      const text = await response.text();
      expect(text).not.toContain(badKey);
      expect(JSON.parse(text)).toMatchObject({
        title: "Credentials test failed",
        detail: "authTestCode rejected these values: Error: Invalid credentials",
        test: { ok: false, kind: "threw", fetches: [{ method: "GET", status: 401 }] },
      });
      const listed = (await (
        await call("GET", `${integrationId}/connections`, authorization)
      ).json()) as {
        connections: { endUserId: string }[];
      };
      expect(listed.connections.map((connection) => connection.endUserId)).not.toContain("user-43");
    });

    it("answers 400 for values that do not fit the fields", async () => {
      const response = await call("POST", `${integrationId}/connections`, authorization, {
        endUserId: "user-44",
        values: { api_key: "x" },
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        errors: [{ path: "values.base_url", message: "Enter Base URL" }],
      });
    });
  });
});
