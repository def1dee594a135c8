import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  checkFormActionFields,
  checkMultipartReply,
  checkTextReply,
  MAX_REPLY_DEPTH,
} from "./action-reply";

/*
 * The checker runs before React's decoder. Bodies React's own client encodes must pass (so the
 * console keeps working); the reproducers that made Next answer 500 must not; and whatever
 * passes must decode without throwing, which is checked against the decoder Next bundles.
 */

const require = createRequire(import.meta.url);
const FLIGHT = "next/dist/compiled/react-server-dom-webpack/cjs/react-server-dom-webpack";
// The same React build Next runs in production (Next bundles its own copy).
const client = require(`${FLIGHT}-client.node.production.js`) as {
  encodeReply: (value: unknown) => Promise<string | FormData>;
};

function check(body: string | FormData) {
  return typeof body === "string" ? checkTextReply(body) : checkMultipartReply(body);
}

/**
 * Whether React's decoder (Next's copy) takes each text body without throwing. It loads only
 * under the react-server condition, so it runs in a child process.
 */
function decodedWithoutThrowing(bodies: string[]): boolean[] {
  const script = `
    const flight = require(${JSON.stringify(`${FLIGHT}-server.node.production.js`)});
    const bodies = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    const temporaryReferences = () => flight.createTemporaryReferenceSet();
    Promise.all(bodies.map((body) =>
      Promise.resolve(flight.decodeReply(body, {}, { temporaryReferences: temporaryReferences() }))
        .then(() => true, () => false),
    )).then((results) => process.stdout.write(JSON.stringify(results)));`;
  const output = execFileSync(process.execPath, ["--conditions=react-server", "-e", script], {
    input: JSON.stringify(bodies),
    encoding: "utf8",
  });
  return JSON.parse(output) as boolean[];
}

describe("server action bodies", () => {
  it("accepts what React's client encodes for the console's calls", async () => {
    const form = new FormData();
    form.append("email", "ada@example.com");
    form.append("upload", new Blob(["x"]), "x.txt");
    const shared = { id: "x" };
    const calls: unknown[][] = [
      [{ cursor: "abc", q: "" }],
      [{}],
      [undefined, form],
      ["int_123", { values: { token: "$secret" }, code: "return 1" }],
      [shared, [shared]],
      [new Date(0), 10n, Number.NaN, -0, Number.POSITIVE_INFINITY, null, true],
      [new Map([["a", 1]]), new Set(["b"]), new Blob(["c"])],
    ];
    const textBodies: string[] = [];
    for (const args of calls) {
      const body = await client.encodeReply(args);
      expect({ args, check: check(body) }).toEqual({ args, check: { ok: true } });
      if (typeof body === "string") textBodies.push(body);
    }
    expect(textBodies.length).toBeGreaterThan(3);
    expect(decodedWithoutThrowing(textBodies)).toEqual(textBodies.map(() => true));
  });

  it("refuses the reproducers that made Next answer 500", () => {
    for (const body of [
      '["$F1"]',
      '["$h1"]',
      '["$@1"]',
      '["$Q1"]',
      '["$K1"]',
      '["$B1"]',
      '["$1"]',
      '["$T"]',
      '["$0:9:x"]',
      '[{"__proto__":{"x":1}},"$0:0:__proto__"]',
      '["$n1x"]',
      '"$undefined"',
      '"x"',
      "not json",
      `${"[".repeat(5_000)}${"]".repeat(5_000)}`,
    ]) {
      expect({ body: body.slice(0, 20), check: checkTextReply(body).ok }).toEqual({
        body: body.slice(0, 20),
        check: false,
      });
    }
  });

  it("bounds nesting", () => {
    const nested = (depth: number) => `[${"[".repeat(depth)}1${"]".repeat(depth)}]`;
    expect(checkTextReply(nested(MAX_REPLY_DEPTH - 1)).ok).toBe(true);
    expect(checkTextReply(nested(MAX_REPLY_DEPTH + 1)).ok).toBe(false);
  });

  it("in a multipart body, accepts references that resolve and refuses those that do not", () => {
    const passes = (...entries: Array<[string, string | Blob]>) => {
      const data = new FormData();
      for (const [name, value] of entries) data.append(name, value);
      return checkMultipartReply(data).ok;
    };
    const file = new Blob(["x"]);
    expect(passes(["1", "[]"], ["_2_email", "a"], ["0", '["$K2","$Q1"]'])).toBe(true);
    expect(passes(["1", file], ["0", '["$B1"]'])).toBe(true);
    expect(passes(["1", "text"], ["0", '["$B1"]'])).toBe(false);
    expect(passes(["1", "[]"], ["0", '["$Q2"]'])).toBe(false);
    expect(passes(["1", "not json"], ["0", '["$1"]'])).toBe(false);
    expect(passes(["1", '{"b":1}'], ["0", '["$1:a"]'])).toBe(false);
    expect(passes(["1", "[]"])).toBe(false);
    // Next decodes the parts as they stream in: a reference to a later part, or a part sent
    // twice, makes React's decoder throw.
    expect(passes(["0", '["$1"]'], ["1", "[]"])).toBe(false);
    expect(passes(["0", '["$B1"]'], ["1", file])).toBe(false);
    expect(passes(["0", "[]"], ["0", "[]"])).toBe(false);
  });

  it("lets through only text bodies React's decoder takes without throwing", () => {
    const strings = ["$$x", "$u", "$D1", "$n12", "$n1x", "$-0", "$0:0", "$0:1", "$0:9", "$I"];
    strings.push("$NaN", "x", "$", "$F1", "$h1", "$@0", "$Q0", "$K1", "$B1", "$1", "$R1", "$A1");
    strings.push("$0:1:a", "$0:1:a:0", "$0:1:__proto__", "$0:0:0");
    const bodies = strings.flatMap((first) =>
      strings.map((second) => JSON.stringify([first, { a: [second] }])),
    );
    const passed = bodies.filter((body) => checkTextReply(body).ok);
    // The checker is no rubber stamp: it lets some through and refuses others.
    expect(passed.length).toBeGreaterThan(50);
    expect(passed.length).toBeLessThan(bodies.length / 2);
    const decoded = decodedWithoutThrowing(passed);
    expect(passed.filter((_, index) => !decoded[index])).toEqual([]);
  });

  it("checks a form posted without JavaScript by its action reference", () => {
    const form = new FormData();
    form.append("$ACTION_REF_1", "");
    form.append("$ACTION_1:0", '{"id":"abc","bound":"$@1"}');
    form.append("$ACTION_1:1", "[null]");
    form.append("email", "ada@example.com");
    expect(checkFormActionFields(form).ok).toBe(true);
    form.set("$ACTION_1:1", "{}");
    expect(checkFormActionFields(form).ok).toBe(false);
    form.set("$ACTION_1:0", "junk");
    expect(checkFormActionFields(form).ok).toBe(false);
    const plain = new FormData();
    plain.append("$ACTION_ID_abc", "");
    expect(checkFormActionFields(plain).ok).toBe(true);
  });
});
