import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * A request flows one way: component → action → service → database. Server code therefore never
 * reaches into components/, with one exception: a page or layout renders components, which is
 * the normal direction. What a component and the server both need (output allowlists, result
 * types) lives in lib/, next to the service that produces it.
 */
const IMPORTS_COMPONENTS = /(?:from|import)\s*\(?\s*["']@\/components\//;
const IMPORTS_APP = /(?:from|import)\s*\(?\s*["']@\/app\//;
/** The Next files whose job is to render: they may import components. */
const RENDERING_FILE = /^(page|layout|template|loading|error|not-found|global-error)\.tsx$/;

function sourcesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .map((file) => path.join(directory, file))
    .filter((file) => /\.tsx?$/.test(file));
}

const importing = (pattern: RegExp) => (file: string) => pattern.test(readFileSync(file, "utf8"));

describe("import direction", () => {
  const serverLayers = [...sourcesUnder("lib"), ...sourcesUnder("db")];

  it("lib/ and db/ import nothing from components/ or app/", () => {
    expect(serverLayers.filter(importing(IMPORTS_COMPONENTS))).toEqual([]);
    expect(serverLayers.filter(importing(IMPORTS_APP))).toEqual([]);
  });

  it("under app/, only pages and layouts import components", () => {
    const others = sourcesUnder("app").filter((file) => !RENDERING_FILE.test(path.basename(file)));
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter(importing(IMPORTS_COMPONENTS))).toEqual([]);
  });

  it("lib/api, which server.ts serves outside Next, imports nothing that reads Next's request", () => {
    // These read next/headers, which only works inside Next's request handling: server.ts would
    // not even start (the e2e suite's servers would never come up, with little to say why).
    const nextOnly = /["']@\/lib\/(auth\/session|forms\/action-support|http\/request-origin)["']/;
    expect(sourcesUnder("lib/api").filter(importing(nextOnly))).toEqual([]);
  });

  it("catches the imports it is meant to catch", () => {
    // Spelled in pieces, so this file's own source does not match what it looks for.
    const components = "@/components/";
    expect(IMPORTS_COMPONENTS.test(`import { x } from "${components}settings/contract";`)).toBe(
      true,
    );
    expect(IMPORTS_COMPONENTS.test(`await import("${components}ui/button");`)).toBe(true);
    expect(IMPORTS_COMPONENTS.test('import { x } from "@/lib/settings/contract";')).toBe(false);
  });
});
