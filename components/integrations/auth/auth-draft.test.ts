import { describe, expect, it } from "vitest";
import type { IntegrationDetail } from "@/lib/integrations/contract";
import { bodyFrom, draftFrom, errorsByRow, isDirty, newField, storedSecrets } from "./auth-draft";

const stored = { authUrl: true, tokenUrl: true, clientId: true, clientSecret: true };

function integration(overrides: Partial<IntegrationDetail> = {}): IntegrationDetail {
  return {
    id: "0b6f6b1e-8d3c-4c55-9d7e-2b2f3f0c9a11",
    name: "Weather",
    description: "",
    authType: "OAUTH",
    authTestCode: "return 1;",
    authFields: [
      {
        id: "fld_1",
        slug: "region",
        label: "Region",
        type: "TEXT",
        description: "",
        placeholder: null,
        required: false,
      },
    ],
    oauthClient: {
      scopes: "read",
      label: null,
      authorizationCode: "",
      accessTokenCode: "",
      refreshTokenCode: "",
      stored,
    },
    apiAccess: { mode: "all", tills: false, clients: [] },
    connectionCount: 0,
    connectReturnUrls: [],
    createdAt: new Date(0),
    createdBy: "ada@example.com",
    authUpdatedAt: null,
    ...overrides,
  };
}

describe("the auth editor's request", () => {
  it("sends the fields and the type, and nothing the admin left alone", () => {
    const saved = integration();
    const draft = draftFrom(saved);
    expect(isDirty(draft, saved)).toBe(false);
    expect(bodyFrom(draft, saved)).toEqual({
      authType: "OAUTH",
      authFields: [
        {
          slug: "region",
          label: "Region",
          type: "TEXT",
          description: "",
          placeholder: null,
          required: false,
        },
      ],
    });
  });

  it("sends only the OAuth properties that changed; an untouched credential stays stored", () => {
    const saved = integration();
    const draft = draftFrom(saved);
    draft.oauth.scopes = "read write";
    draft.oauth.secrets.clientSecret = { replacing: true, value: "s3cret", remove: false };
    draft.oauth.secrets.authUrl = { replacing: false, value: "", remove: true };
    expect(bodyFrom(draft, saved).oauthClient).toEqual({
      scopes: "read write",
      clientSecret: "s3cret",
      authUrl: null,
    });
  });

  it("treats the client as gone after a type change, so what is typed becomes the new client", () => {
    const saved = integration();
    const draft = draftFrom(saved);
    draft.authType = "OAUTH_DCR";
    expect(storedSecrets(draft, saved).clientSecret).toBe(false);
    expect(bodyFrom(draft, saved).oauthClient).toEqual({ scopes: "read" });
  });

  it("never sends an OAuth client for other types, and clears the test code with null", () => {
    const saved = integration();
    const draft = draftFrom(saved);
    draft.authType = "API_KEY";
    draft.testCode = "";
    const body = bodyFrom(draft, saved);
    expect(body.oauthClient).toBeUndefined();
    expect(body.authTestCode).toBeNull();
  });

  it("keys field errors by row, so they follow a row that moves", () => {
    const rows = [newField(), newField()];
    const keyed = errorsByRow({ "authFields.1.slug": "Enter a slug", authTestCode: "Bad" }, rows);
    expect(keyed).toEqual({
      [`authFields.${rows[1]?.key}.slug`]: "Enter a slug",
      authTestCode: "Bad",
    });
  });
});
