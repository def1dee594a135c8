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

/**
 * The hosted connect pages (/connect/…) are opened by end users from links other apps send, and
 * carry a secret in their path, so they get a stricter policy than the console: nothing loads
 * unless listed, no inline or foreign scripts (Next's own carry the nonce), forms post only
 * here. Styles stay 'unsafe-inline' because React and Radix set style attributes; scripts are
 * what a nonce policy protects.
 */
export function connectPagePolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** /connect and everything under it, with or without a query. */
export function isConnectPath(url: string): boolean {
  return /^\/connect(\/|\?|$)/.test(url);
}

/**
 * /invite/<token>: an invitation to become an admin. Its token is in the path like a connect
 * link's, so it gets the same no-store and no-referrer, and the logs shorten it (page-requests.ts).
 */
export function isInvitePath(url: string): boolean {
  return /^\/invite(\/|\?|$)/.test(url);
}

/** Pages whose path carries a secret link's token. */
export function isSecretLinkPath(url: string): boolean {
  return isConnectPath(url) || isInvitePath(url);
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
  const nonce = randomBytes(16).toString("base64");
  const connect = isConnectPath(req.url ?? "/");
  const policy = connect ? connectPagePolicy(nonce, options.dev) : pagePolicy(nonce, options.dev);
  req.headers["content-security-policy"] = policy;
  res.setHeader("Content-Security-Policy", policy);
  if (isSecretLinkPath(req.url ?? "/")) {
    // The link's token is in the path: no cache may keep the page, and no Referer carries it
    // on (no-referrer is in COMMON_HEADERS too; said again here because this page depends on it).
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
  }
}

function applyCommon(res: ServerResponse, https: boolean): void {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
  if (https) res.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
}
