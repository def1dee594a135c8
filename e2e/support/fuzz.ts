import net from "node:net";

/**
 * The pieces of e2e/fuzz.spec.ts: a seeded generator of junk HTTP requests and a raw socket
 * client that reports what the server did with each (a status, a dropped connection, or no
 * answer in time). Raw sockets, so the junk reaches the server as written: no client library
 * normalises the method, the path or the headers.
 */

/** mulberry32: small, fast and good enough to pick junk; the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each case draws from its own generator, so `FUZZ_CASE` replays one case of a run alone. */
export function caseRandom(seed: number, index: number): () => number {
  return seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

export class Picker {
  constructor(readonly next: () => number) {}
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  /**
   * Junk with the characters parsers trip on, and some Latin-1 above ASCII; never CR, LF or NUL,
   * so it stays junk inside a header and does not split the request's framing.
   */
  junk(maxLength: number): string {
    const alphabet = `abcXYZ019 $%&'"<>[]{}():;,.=?/\\\`~!@#^*+|-_\t`;
    let text = "";
    for (let length = this.int(maxLength + 1); length > 0; length--) {
      text += this.chance(0.05)
        ? String.fromCharCode(0xa0 + this.int(0x60))
        : alphabet[this.int(alphabet.length)];
    }
    return text;
  }
}

export interface RawRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export type Outcome =
  | { kind: "answered"; status: number; head: string }
  | { kind: "dropped"; detail: string }
  | { kind: "hung" };

/** The request as bytes: always well framed (a Content-Length that matches), junk inside. */
export function encodeRequest(request: RawRequest, host: string): Buffer {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  lines.push("Connection: close", `Content-Length: ${request.body.length}`, "", "");
  return Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), request.body]);
}

/**
 * Sends the bytes on a fresh connection and reads until the server closes it (every request
 * says Connection: close). No status line before the close is a dropped connection.
 */
export function send(port: number, bytes: Buffer, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    // The final answer's head: interim ones (100 Continue) come first, each with its own head.
    const answered = (): Outcome | null => {
      const heads = Buffer.concat(chunks).toString("latin1").split("\r\n\r\n");
      for (const head of heads) {
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
        if (status && !status[1]?.startsWith("1")) {
          return { kind: "answered", status: Number(status[1]), head };
        }
      }
      return null;
    };
    const timer = setTimeout(() => finish(answered() ?? { kind: "hung" }), timeoutMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => finish(answered() ?? { kind: "dropped", detail: "closed" }));
    socket.on("error", (error) => finish(answered() ?? { kind: "dropped", detail: error.message }));
    socket.on("connect", () => socket.write(bytes));
  });
}

/** A raw request, printable in a failure report: escaped, and cut if long. */
export function printable(bytes: Buffer, limit = 2_000): string {
  const text = JSON.stringify(bytes.subarray(0, limit).toString("latin1"));
  return bytes.length > limit ? `${text} … (${bytes.length} bytes in all)` : text;
}
