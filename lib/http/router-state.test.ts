import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { isValidRouterState, MAX_ROUTER_STATE_LENGTH } from "./router-state";

/*
 * server.ts refuses a router-state header Next would fail on, and must never refuse one Next
 * takes from its own client router. Next's validator is the reference: when an upgrade changes
 * the header's format, this test fails and router-state.ts's schema is updated to match.
 */

const require = createRequire(import.meta.url);
const { parseAndValidateFlightRouterState } =
  require("next/dist/server/app-render/parse-and-validate-flight-router-state") as {
    parseAndValidateFlightRouterState: (header: string) => unknown;
  };

function nextAccepts(header: string): boolean {
  try {
    parseAndValidateFlightRouterState(header);
    return true;
  } catch {
    return false;
  }
}

/** Trees the way the client router builds them, and small mutations of each. */
function samples(): string[] {
  const page = ["__PAGE__", {}, null, null];
  const trees: unknown[] = [
    ["", { children: ["__PAGE__", {}] }, null, "refetch", 1],
    ["", { children: ["(console)", { children: ["audit", { children: page }] }] }, null, null, 1],
    ["", { children: [["token", "abc", "d", null], { children: page }] }],
    ["", { children: [["token", "abc", "c", ["x"]], {}, ["/x", "/y"], "inside-shared-layout"] }],
    ["", {}, null, "metadata-only", null, "extra"],
  ];
  const junk: unknown[] = [
    [],
    [1],
    [""],
    ["", []],
    ["", { a: 1 }],
    ["", {}, "x"],
    ["", {}, null, "nope"],
    ["", {}, null, null, "1"],
    ["", {}, null, null, null, 5],
    ["", {}, null, null, null, "x", "too long"],
    [["a", "b", "zz", null], {}],
    [["a", "b"], {}],
    { children: [] },
    "string",
    null,
  ];
  const encoded = [...trees, ...junk].map((tree) => encodeURIComponent(JSON.stringify(tree)));
  return [
    ...encoded,
    ...[...trees, ...junk].map((tree) => JSON.stringify(tree)),
    "%%",
    "%ff%fe",
    "[[[[",
    "",
    encodeURIComponent(`${"[".repeat(2_000)}${"]".repeat(2_000)}`),
    "x".repeat(MAX_ROUTER_STATE_LENGTH + 1),
  ];
}

describe("the router-state header check", () => {
  it("agrees with Next's own validator on trees and junk", () => {
    const disagreements = samples()
      .map((header) => ({ header: header.slice(0, 80), ours: isValidRouterState(header) }))
      .filter((sample, index) => sample.ours !== nextAccepts(samples()[index] ?? ""));
    expect(disagreements).toEqual([]);
  });

  it("accepts real trees and refuses the issue's reproducers", () => {
    expect(isValidRouterState(encodeURIComponent('["",{"children":["__PAGE__",{}]}]'))).toBe(true);
    expect(isValidRouterState(undefined)).toBe(true);
    for (const header of ["%%", "%ff%fe", "[[[["]) expect(isValidRouterState(header)).toBe(false);
  });
});
