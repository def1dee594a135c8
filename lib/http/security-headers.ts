import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const COMMON_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

/** JSON endpoints load nothing, so their policy allows nothing. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Pages get a per-request nonce. Next reads the nonce from the request's CSP header and puts it
 * on its own script tags, so no 'unsafe-inline' scripts are needed; development adds
 * 'unsafe-eval' (React's dev tooling) and websockets (hot reload).
 */
export function pagePolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function applyApiSecurityHeaders(res: ServerResponse, https: boolean): void {
  applyCommon(res, https);
  res.setHeader("Content-Security-Policy", API_POLICY);
}

/** Sets the page headers and hands the policy to Next through the request (see pagePolicy). */
export function applyPageSecurityHeaders(
  req: IncomingMessage,
  res: ServerResponse,
  options: { https: boolean; dev: boolean },
): void {
  applyCommon(res, options.https);
  const policy = pagePolicy(randomBytes(16).toString("base64"), options.dev);
  req.headers["content-security-policy"] = policy;
  res.setHeader("Content-Security-Policy", policy);
}

function applyCommon(res: ServerResponse, https: boolean): void {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
  if (https) res.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
}
