import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { problemAnswer } from "./problem-answer";

/**
 * The methods some path of ours answers. Anything else (TRACE, CONNECT, PROPFIND…) is refused
 * in server.ts before routing, with a 405 that names these: Next answers TRACE with a 500, and
 * Node drops the connection of a CONNECT that no `connect` listener takes.
 */
export const ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

const ALLOW = ALLOWED_METHODS.join(", ");

/** RFC 9457 problem details for a method we do not answer, and the headers that go with it. */
function methodNotAllowed(method: string | undefined) {
  return problemAnswer(
    405,
    "Method Not Allowed",
    `${String(method).slice(0, 20)} is not answered here. Use one of: ${ALLOW}.`,
    { Allow: ALLOW },
  );
}

/** Answers a request whose method we do not serve with a 405; true when it did. */
export function refuseUnknownMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (ALLOWED_METHODS.includes(req.method ?? "")) return false;
  const { body, headers } = methodNotAllowed(req.method);
  res.writeHead(405, headers);
  res.end(body);
  return true;
}

/**
 * The server's `connect` listener: Node hands CONNECT requests to it, not to the request
 * handler, and closes the socket without an answer when nobody listens.
 */
export function refuseConnect(req: IncomingMessage, socket: Duplex): void {
  const { body, headers } = methodNotAllowed(req.method);
  const head = Object.entries({ ...headers, Connection: "close" })
    .map(([name, value]) => `${name}: ${value}`)
    .join("\r\n");
  socket.end(`HTTP/1.1 405 Method Not Allowed\r\n${head}\r\n\r\n${body}`);
}
