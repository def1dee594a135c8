import { describe, expect, it } from "vitest";
import { scopesForPermissions, scopesOfGroup } from "./scopes";

describe("scopesForPermissions", () => {
  it("maps View only to read and Modify to read and write", () => {
    expect(
      scopesForPermissions([
        { slug: "transaction", level: "read" },
        { slug: "target-groups", level: "write" },
      ]),
    ).toEqual(["target-groups:read", "target-groups:write", "transaction:read"]);
  });

  it("grants INTEGRATION_API with Modify on integrations only", () => {
    expect(scopesForPermissions([{ slug: "integrations", level: "write" }])).toContain(
      "INTEGRATION_API",
    );
    expect(scopesForPermissions([{ slug: "integrations", level: "read" }])).toEqual([
      "integrations:read",
    ]);
  });

  it("grants nothing without permissions", () => {
    expect(scopesForPermissions([])).toEqual([]);
  });
});

describe("scopesOfGroup", () => {
  it("lists every scope a group can grant", () => {
    expect(scopesOfGroup("loyalty")).toEqual(["loyalty:read", "loyalty:write"]);
    expect(scopesOfGroup("integrations")).toEqual([
      "INTEGRATION_API",
      "integrations:read",
      "integrations:write",
    ]);
  });
});
