/**
 * Checks a server action's arguments, as React's client encodes them (encodeReply), before Next
 * hands them to React's decoder: decodeReply throws on references it cannot resolve ("Invalid
 * forward reference", "Referenced Blob is not a Blob", "Connection closed.") and Next answers
 * that with a 500. A body that passes here decodes without throwing; anything else is refused
 * with a 400 by server.ts. The rules follow what React's client can produce, not every tag the
 * decoder knows: our pages send plain values and FormData, never functions, streams or promises.
 */
import "server-only";

/** Deeper nesting than any form of ours, far below what would strain the decoder's recursion. */
export const MAX_REPLY_DEPTH = 32;

/**
 * A reply's parts by name, with the place each has in the body. Next decodes a multipart reply
 * as it streams in, so a part can only reference parts sent before it (React's client sends the
 * argument list, part "0", last).
 */
interface ReplyParts {
  get(name: string): string | Blob | undefined;
  position(name: string): number;
}

export type ReplyCheck = { ok: true } | { ok: false; reason: string };

const HEX = /^[0-9a-f]+$/;
const BIGINT = /^-?\d{1,300}$/;
const BOUND_ARGUMENTS = /^\$@[0-9a-f]{1,8}$/;

/** A single-part reply: the body is the JSON of the argument list itself. */
export function checkTextReply(body: string): ReplyCheck {
  const parts: ReplyParts = {
    get: (name) => (name === "0" ? body : undefined),
    position: (name) => (name === "0" ? 0 : -1),
  };
  return checkReply(parts, { multipart: false, prefix: "" });
}

/** A multipart reply: part "0" holds the argument list, the others what it references. */
export function checkMultipartReply(form: FormData): ReplyCheck {
  return checkReply(form, { multipart: true, prefix: "", ordered: true });
}

/** A part sent twice makes React resolve one chunk twice, which throws. */
function formParts(form: FormData): ReplyParts {
  const positions = new Map<string, number>();
  let position = 0;
  for (const name of form.keys()) {
    if (/^(\$ACTION_\d+:)?\d+$/.test(name) && positions.has(name)) {
      throw new ReplyError(`part ${name.slice(-8)} is sent twice`);
    }
    positions.set(name, position++);
  }
  return {
    get: (name) => form.get(name) ?? undefined,
    position: (name) => positions.get(name) ?? -1,
  };
}

/**
 * A form posted without JavaScript (no Next-Action header): React finds the action in a
 * `$ACTION_ID_<id>` field, or in `$ACTION_REF_<n>` whose `$ACTION_<n>:0` field holds
 * `{id, bound}`, bound being null or a reference to the bound arguments.
 */
export function checkFormActionFields(form: FormData): ReplyCheck {
  for (const key of form.keys()) {
    if (!key.startsWith("$ACTION_REF_")) continue;
    const prefix = `$ACTION_${key.slice("$ACTION_REF_".length)}:`;
    const check = checkReply(form, { multipart: true, prefix, root: "bound-action" });
    if (!check.ok) return check;
  }
  return { ok: true };
}

interface ReplyOptions {
  multipart: boolean;
  prefix: string;
  root?: "arguments" | "bound-action";
  /** Streamed (a fetch action's multipart body): references only to parts sent before. */
  ordered?: boolean;
}

class ReplyError extends Error {}

function checkReply(source: ReplyParts | FormData, options: ReplyOptions): ReplyCheck {
  const parsed = new Map<number, unknown>();
  const pending = [0];
  try {
    const parts = source instanceof FormData ? formParts(source) : source;
    const position = (id: number) => parts.position(`${options.prefix}${id}`);
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      if (parsed.has(id)) continue;
      const value = parsePart(parts, options.prefix, id);
      parsed.set(id, value);
      if (id === 0) checkRoot(value, options.root ?? "arguments");
      const sentBefore = (referenced: number) => {
        if (options.ordered && referenced !== id && position(referenced) > position(id)) {
          throw new ReplyError(`part ${id} references part ${referenced}, sent after it`);
        }
      };
      walk(value, 0, (text) => {
        const referenced = checkString(text, parts, options, sentBefore);
        if (referenced !== null) pending.push(referenced);
      });
    }
    if (options.root === "bound-action") checkBoundArguments(parsed.get(0), parsed);
    // Paths into parts ("$0:1:email") are checked once every referenced part is parsed.
    for (const value of parsed.values()) {
      walk(value, 0, (text) => checkPath(text, parsed));
    }
    return { ok: true };
  } catch (error) {
    if (error instanceof ReplyError) return { ok: false, reason: error.message };
    throw error;
  }
}

function parsePart(parts: ReplyParts, prefix: string, id: number): unknown {
  const part = parts.get(`${prefix}${id}`);
  if (typeof part !== "string") throw new ReplyError(`part ${id} is missing`);
  try {
    return JSON.parse(part);
  } catch {
    throw new ReplyError(`part ${id} is not JSON`);
  }
}

/** Next applies the action to the decoded root: it must be the argument list. */
function checkRoot(value: unknown, root: "arguments" | "bound-action"): void {
  if (root === "arguments") {
    if (!Array.isArray(value)) throw new ReplyError("the arguments are not a list");
    return;
  }
  const action = value as { id?: unknown; bound?: unknown } | null;
  const bound = action?.bound;
  if (
    typeof action !== "object" ||
    action === null ||
    typeof action.id !== "string" ||
    !(bound === null || (typeof bound === "string" && BOUND_ARGUMENTS.test(bound)))
  ) {
    throw new ReplyError("the form's action reference is malformed");
  }
}

/** The bound arguments a promise reference points to must be a list, as for a fetch action. */
function checkBoundArguments(root: unknown, parsed: Map<number, unknown>): void {
  const bound = (root as { bound: string | null }).bound;
  if (bound === null) return;
  if (!Array.isArray(parsed.get(Number.parseInt(bound.slice(2), 16)))) {
    throw new ReplyError("the form's bound arguments are not a list");
  }
}

/** Every string in the value, depth-first, with the nesting bounded. */
function walk(value: unknown, depth: number, visit: (text: string) => void): void {
  if (depth > MAX_REPLY_DEPTH) throw new ReplyError(`nested deeper than ${MAX_REPLY_DEPTH}`);
  if (typeof value === "string") {
    visit(value);
  } else if (Array.isArray(value)) {
    for (const item of value) walk(item, depth + 1, visit);
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) walk(item, depth + 1, visit);
  }
}

/**
 * A `$`-string is either a plain value React escaped or a reference. Returns the id of a part
 * it references (to be checked too), or null.
 */
function checkString(
  text: string,
  parts: ReplyParts,
  options: ReplyOptions,
  sentBefore: (id: number) => void,
): number | null {
  if (!text.startsWith("$")) return null;
  const tag = text[1] ?? "";
  const rest = text.slice(2);
  switch (tag) {
    case "$": // an escaped "$…" string
    case "u": // undefined
    case "I": // Infinity
    case "-": // -0, -Infinity
    case "N": // NaN
    case "D": // a Date (an unparseable one decodes to Invalid Date)
      return null;
    case "n":
      if (!BIGINT.test(rest)) throw new ReplyError("a malformed BigInt");
      return null;
    case "K": // FormData: its entries are the parts named `_<id>_…`, possibly none
      multipartOnly(text, options);
      hexId(rest);
      return null;
    case "B": {
      multipartOnly(text, options);
      const id = hexId(rest);
      if (!(parts.get(`${options.prefix}${id}`) instanceof Blob)) {
        throw new ReplyError("a $B reference names no file");
      }
      sentBefore(id);
      return null;
    }
    case "@": // a promise (a form's bound arguments), a Map, a Set, an iterable
    case "Q":
    case "W":
    case "i":
      multipartOnly(text, options);
      return referencedPart(hexId(rest.split(":")[0] ?? ""), sentBefore);
    default:
      if (HEX.test(tag))
        return referencedPart(hexId(text.slice(1).split(":")[0] ?? ""), sentBefore);
      // Server references ($h), temporary references ($T), streams, typed arrays and anything
      // unknown: our pages never send them.
      throw new ReplyError(
        `${/^[A-Za-z]$/.test(tag) ? `a "$${tag}"` : "an unknown"} reference is not accepted`,
      );
  }
}

function referencedPart(id: number, sentBefore: (id: number) => void): number {
  sentBefore(id);
  return id;
}

function multipartOnly(text: string, options: ReplyOptions): void {
  if (!options.multipart)
    throw new ReplyError(`a "${text.slice(0, 2)}" reference needs a multipart body`);
}

function hexId(text: string): number {
  if (!HEX.test(text) || text.length > 8) throw new ReplyError("a malformed reference");
  return Number.parseInt(text, 16);
}

/** A reference with a path ("$0:1:email") must lead through objects and lists to a value. */
function checkPath(text: string, parsed: Map<number, unknown>): void {
  const match = /^\$(?:[@QWi])?([0-9a-f]+):(.*)$/.exec(text);
  if (!match?.[1] || match[2] === undefined) return;
  let current = parsed.get(Number.parseInt(match[1], 16));
  for (const key of match[2].split(":")) {
    // React's decoder drops "__proto__" keys, so a path through one leads nowhere either.
    if (
      typeof current !== "object" ||
      current === null ||
      key === "__proto__" ||
      !Object.hasOwn(current, key)
    ) {
      throw new ReplyError("a reference's path leads nowhere");
    }
    current = (current as Record<string, unknown>)[key];
  }
}
