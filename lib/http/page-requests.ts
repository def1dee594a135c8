import "server-only";
import { IncomingMessage, type ServerResponse } from "node:http";
import { checkFormActionFields, checkMultipartReply, checkTextReply } from "./action-reply";
import { type ProblemAnswer, problemAnswer } from "./problem-answer";
import { isValidRouterState } from "./router-state";
import { isConnectPath, isInvitePath } from "./security-headers";

/**
 * What server.ts checks on people's paths before Next sees a request: the parts of a request
 * Next decodes itself and answers with a 500 when they are malformed (the client router's state
 * header, a server action's body and Origin). Each refusal is a problem+json 4xx; Next gets an
 * equivalent request carrying the bytes that were checked.
 */

/** Next's default server action body limit (serverActions.bodySizeLimit, "1 MB"). */
export const ACTION_BODY_LIMIT = 1024 * 1024;

const ROUTER_STATE_HEADER = "next-router-state-tree";
const ACTION_HEADER = "next-action";

export type PageRequestCheck =
  | { ok: true; request: IncomingMessage }
  | { ok: false; status: number; reason: string; answer: ProblemAnswer };

export async function checkPageRequest(req: IncomingMessage): Promise<PageRequestCheck> {
  const action = isPossibleServerAction(req);
  const early = !isValidRouterState(req.headers[ROUTER_STATE_HEADER])
    ? badRequest("the Next-Router-State-Tree header is malformed")
    : action
      ? checkOrigin(req)
      : null;
  if (early) return answeredAfterBody(req, early);
  if (!action) {
    // Next reads no body here, but one may come (junk, or a careless client): read and drop it,
    // so answering cannot reset the connection while the client is still sending.
    return answeredAfterBody(req, { ok: true, request: req });
  }
  const body = await readBody(req, ACTION_BODY_LIMIT);
  if (!Buffer.isBuffer(body)) {
    return refusal(
      413,
      "Content Too Large",
      `the server action body is over ${ACTION_BODY_LIMIT} bytes`,
      `Server action bodies are limited to ${ACTION_BODY_LIMIT} bytes.`,
      // Past the drain limit the rest is still arriving: this connection cannot carry another
      // request. A body read to its end leaves the connection usable.
      body === "too-large" ? {} : { Connection: "close" },
    );
  }
  const check = await checkActionBody(req, body);
  if (!check.ok) return badRequest(`the server action body is malformed: ${check.reason}`);
  return { ok: true, request: replayWith(req, body) };
}

/**
 * The requests Next decodes as server actions: a POST with a Next-Action header (the client's
 * fetch), or a multipart POST (a form posted before JavaScript loaded).
 */
function isPossibleServerAction(req: IncomingMessage): boolean {
  if (req.method !== "POST") return false;
  return req.headers[ACTION_HEADER] !== undefined || isMultipart(req);
}

function isMultipart(req: IncomingMessage): boolean {
  return (req.headers["content-type"] ?? "").startsWith("multipart/form-data");
}

/**
 * Next refuses an action whose Origin is not this host (CSRF), but answers it with a 500 and an
 * error log, and an unparseable Origin makes it throw. Same comparison, answered as a 403/400.
 */
function checkOrigin(req: IncomingMessage): PageRequestCheck | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  let originHost: string;
  try {
    originHost = origin === "null" ? "null" : new URL(origin).host;
  } catch {
    return badRequest("the Origin header is malformed");
  }
  if (originHost === requestHost(req)) return null;
  return refusal(
    403,
    "Forbidden",
    "a server action from another origin",
    "Server actions are only accepted from this site's own pages.",
  );
}

/** The host Next compares the Origin with: X-Forwarded-Host's first entry, else Host. */
function requestHost(req: IncomingMessage): string | undefined {
  const forwarded = req.headers["x-forwarded-host"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded?.split(",")[0])?.trim();
  return first || req.headers.host;
}

/**
 * How much of a too-large body is read and dropped before answering: answering (and closing)
 * while the client is still sending makes its next write fail, so it may never read the 413.
 * Past this the answer goes at once and the connection closes: reading is not free either.
 */
const DRAIN_LIMIT = 8 * ACTION_BODY_LIMIT;

/**
 * The whole body; "too-large" once a body over `limit` bytes has been read to its end (and
 * dropped); "far-too-large" as soon as it passes DRAIN_LIMIT. Never the stream destroyed, which
 * would drop the connection before the 413.
 */
function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<Buffer | "too-large" | "far-too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT) resolve("far-too-large");
      else if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * `check`, once any body has been read and dropped: an answer sent while the client is still
 * sending closes a connection with unread bytes, which resets it, and the client may never read
 * the answer. Past DRAIN_LIMIT the answer is a 413 that closes the connection.
 */
async function answeredAfterBody(
  req: IncomingMessage,
  check: PageRequestCheck,
): Promise<PageRequestCheck> {
  const declared = req.headers["content-length"];
  const noBody = req.headers["transfer-encoding"] === undefined && (!declared || declared === "0");
  if (noBody) return check;
  const body = await readBody(req, 0);
  if (body !== "far-too-large") return check;
  return refusal(
    413,
    "Content Too Large",
    `a body over ${DRAIN_LIMIT} bytes`,
    "This request's body is far larger than any page accepts.",
    { Connection: "close" },
  );
}

async function checkActionBody(req: IncomingMessage, body: Buffer) {
  if (!isMultipart(req)) return checkTextReply(body.toString("utf8"));
  let form: FormData;
  try {
    form = await new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": req.headers["content-type"] ?? "" },
      body: new Uint8Array(body),
    }).formData();
  } catch {
    return { ok: false as const, reason: "not a readable multipart body" };
  }
  return req.headers[ACTION_HEADER] !== undefined
    ? checkMultipartReply(form)
    : checkFormActionFields(form);
}

/**
 * The request again, for Next, with the body already read: a fresh IncomingMessage on the same
 * socket with the same method, URL and headers (the same object, so what Next adds to them is
 * seen by both), whose stream yields the checked bytes.
 */
function replayWith(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = new IncomingMessage(req.socket);
  replay.method = req.method;
  replay.url = req.url;
  replay.headers = req.headers;
  replay.rawHeaders = req.rawHeaders;
  replay.httpVersion = req.httpVersion;
  replay.httpVersionMajor = req.httpVersionMajor;
  replay.httpVersionMinor = req.httpVersionMinor;
  replay.push(body);
  replay.push(null);
  replay.complete = true;
  return replay;
}

function badRequest(reason: string): PageRequestCheck {
  return refusal(400, "Bad Request", reason, `This request cannot be processed: ${reason}.`);
}

function refusal(
  status: number,
  title: string,
  reason: string,
  detail: string,
  headers: Record<string, string> = {},
): PageRequestCheck {
  return { ok: false, status, reason, answer: problemAnswer(status, title, detail, headers) };
}

/**
 * Answers a refused request and logs it as the client's mistake: one line, never the body, and
 * the hosted connect pages' and invitations' paths (which carry a link's secret) shortened.
 */
export function answerRefusal(
  req: IncomingMessage,
  res: ServerResponse,
  refused: Extract<PageRequestCheck, { ok: false }>,
  clientAddress: string | null,
): void {
  console.warn(
    `refused ${req.method} ${loggablePath(req.url)} from ${clientAddress ?? "unknown"}: ${refused.status}, ${refused.reason}`,
  );
  res.writeHead(refused.status, refused.answer.headers);
  res.end(refused.answer.body);
}

function loggablePath(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0] ?? "/";
  if (isConnectPath(path)) return "/connect/…";
  if (isInvitePath(path)) return "/invite/…";
  return path.slice(0, 200);
}

/**
 * Next takes the URL it fetches from itself (to render the page an action redirected to) from
 * X-Forwarded-Proto, so behind an https proxy it tried https:// against this plain-HTTP server
 * and logged ERR_SSL_WRONG_VERSION_NUMBER. What the proxy said is in PROTOCOL_HEADER already
 * (read by readRequestContext); Next sees the hop it really has, plain HTTP.
 */
export function dropForwardedProtocol(req: IncomingMessage): void {
  delete req.headers["x-forwarded-proto"];
}
