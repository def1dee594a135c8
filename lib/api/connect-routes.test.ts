import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents, integrationConnectSessions } from "@/db/schema";
import type { ChangeContext } from "@/lib/audit/service";
import { openConnectSession, setConnectReturnUrls } from "@/lib/integrations/connect-sessions";
import { hashToken } from "@/lib/integrations/connect-tokens";
import {
  adminContext,
  linkToken,
  SEED_EXAMPLE_BODY,
} from "@/lib/integrations/integrations.testing";
import { updateAuthSchema } from "@/lib/integrations/schema";
import { createIntegration, setApiAccess, updateIntegrationAuth } from "@/lib/integrations/service";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  type ApiServer,
  accessTokenFor,
  insertClient,
  insertTill,
  startApiServer,
  TEST_KEYRING,
  type TestClient,
} from "./api.testing";

const PUBLIC_URL = "https://authdesk.example.com";

describe.each(testDrivers)("POST …/connect-sessions on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let server: ApiServer;
  /** The same app without AUTHDESK_PUBLIC_URL: links are made on the request's origin. */
  let bareServer: ApiServer;
  let context: ChangeContext;
  let manager: TestClient;
  let reader: TestClient;
  let outsider: TestClient;

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    context = await adminContext(handle.db);
    const deps = {
      db: handle.db,
      integrations: { sandbox, allowPrivateUrls: true },
      limits: { requestsPerMinute: 500 },
    };
    server = await startApiServer({ ...deps, publicUrl: PUBLIC_URL });
    bareServer = await startApiServer(deps);
    const till = await insertTill(handle.db);
    manager = await insertClient(handle.db, {
      tillId: till.id,
      permissions: { integrations: "write" },
    });
    reader = await insertClient(handle.db, {
      tillId: till.id,
      permissions: { integrations: "read" },
    });
    outsider = await insertClient(handle.db, {
      tillId: till.id,
      permissions: { integrations: "write" },
    });
  });

  afterAll(async () => {
    await server?.close();
    await bareServer?.close();
    await sandbox?.close();
    await handle?.close();
  });

  async function newIntegration(authBody: unknown = SEED_EXAMPLE_BODY) {
    const { id } = await createIntegration(
      handle.db,
      { name: "Acme CRM", description: "" },
      context,
    );
    const updated = await updateIntegrationAuth(
      handle.db,
      { keyring: TEST_KEYRING, sandbox },
      id,
      updateAuthSchema({ allowPrivateUrls: true }).parse(authBody),
      context,
    );
    expect(updated.ok).toBe(true);
    return id;
  }

  async function post(
    integrationId: string,
    body: unknown,
    options: { client?: TestClient; on?: ApiServer; headers?: Record<string, string> } = {},
  ) {
    const on = options.on ?? server;
    const token = await accessTokenFor(on, options.client ?? manager);
    return fetch(`${on.url}/api/integrations/v1/${integrationId}/connect-sessions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...options.headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  it("answers 201 with a single-use link on the public URL, never cached", async () => {
    const integrationId = await newIntegration();
    await setConnectReturnUrls(handle.db, integrationId, ["https://app.example.com/done"], context);
    const response = await post(integrationId, {
      endUserId: "  user-ada  ",
      returnUrl: "https://app.example.com/done?state=1",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { id: string; url: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(["expiresAt", "id", "url"]);
    expect(body.url).toMatch(/^https:\/\/authdesk\.example\.com\/connect\/[A-Za-z0-9_-]{43}$/);
    const minutes = (Date.parse(body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(9.5);
    expect(minutes).toBeLessThanOrEqual(10);

    const token = linkToken(body.url);
    const opened = await openConnectSession(handle.db, token);
    expect(opened).toMatchObject({
      ok: true,
      session: {
        id: body.id,
        endUserId: "user-ada",
        returnUrl: "https://app.example.com/done?state=1",
      },
    });
    const [row] = await handle.db
      .select()
      .from(integrationConnectSessions)
      .where(eq(integrationConnectSessions.id, body.id));
    expect(row?.tokenHash).toBe(hashToken(token));
    expect(row?.createdByLabel).toBe(manager.clientKey);
    const [audit] = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, body.id));
    expect(audit).toMatchObject({
      action: "integration.connect_session_created",
      actorType: "api_client",
      actorId: manager.id,
    });
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it("makes links on the request's origin when no public URL is configured", async () => {
    const integrationId = await newIntegration();
    const response = await post(integrationId, { endUserId: "user-ada" }, { on: bareServer });
    expect(response.status).toBe(201);
    const { url } = (await response.json()) as { url: string };
    expect(url.startsWith(`${bareServer.url}/connect/`)).toBe(true);
  });

  it("refuses a return URL outside the allowlist at path returnUrl", async () => {
    const integrationId = await newIntegration();
    await setConnectReturnUrls(handle.db, integrationId, ["https://app.example.com/done"], context);
    for (const returnUrl of [
      "https://evil.example.com/done",
      "https://app.example.com/done#x",
      "https://user@app.example.com/done",
    ]) {
      const response = await post(integrationId, { endUserId: "user-ada", returnUrl });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await response.json()) as { errors: { path: string }[] };
      expect(problem.errors).toEqual([{ path: "returnUrl", message: expect.any(String) }]);
    }
  });

  it("checks the body like POST …/connections: endUserId 1–200 characters, nothing else", async () => {
    const integrationId = await newIntegration();
    const cases: [unknown, string][] = [
      [{}, "endUserId"],
      [{ endUserId: "   " }, "endUserId"],
      [{ endUserId: "u".repeat(201) }, "endUserId"],
      [{ endUserId: "a\u0000b" }, "endUserId"],
      [{ endUserId: 42 }, "endUserId"],
      [{ endUserId: "user", returnUrl: 5 }, "returnUrl"],
      [{ endUserId: "user", returnUrl: `https://a.example.com/${"x".repeat(2_100)}` }, "returnUrl"],
      [{ endUserId: "user", values: {} }, ""],
    ];
    for (const [body, path] of cases) {
      const response = await post(integrationId, body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      const problem = (await response.json()) as { errors: { path: string }[] };
      expect(problem.errors[0]?.path).toBe(path);
    }
    expect((await post(integrationId, "{not json")).status).toBe(400);
    expect(
      (await post(integrationId, "x", { headers: { "content-type": "text/plain" } })).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await post(integrationId, { endUserId: "u".repeat(200) })).status).toBe(201);
  });

  it("needs INTEGRATION_API and a place on the access list; 404 and 409 where they belong", async () => {
    const integrationId = await newIntegration();
    expect((await post(integrationId, { endUserId: "u" }, { client: reader })).status).toBe(403);
    await setApiAccess(
      handle.db,
      integrationId,
      { mode: "selected", clientIds: [manager.id] },
      context,
    );
    const refused = await post(integrationId, { endUserId: "u" }, { client: outsider });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { title: string }).title).toBe(
      "No access to this integration",
    );
    expect((await post(integrationId, { endUserId: "u" })).status).toBe(201);

    expect((await post("00000000-0000-4000-8000-000000000000", { endUserId: "u" })).status).toBe(
      404,
    );
    expect((await post("not-a-uuid", { endUserId: "u" })).status).toBe(400);
    const unauthenticated = await fetch(
      `${server.url}/api/integrations/v1/${integrationId}/connect-sessions`,
      { method: "POST", body: "{}", headers: { "content-type": "application/json" } },
    );
    expect(unauthenticated.status).toBe(401);

    const serviceAccount = await newIntegration({
      ...SEED_EXAMPLE_BODY,
      authType: "SERVICE_ACCOUNT",
    });
    const conflict = await post(serviceAccount, { endUserId: "u" });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get("content-type")).toContain("application/problem+json");
  });
});
