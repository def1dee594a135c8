/**
 * The URL rules that the integration's forms (schema.ts, which runs in the browser too) and its
 * server code (OAuth discovery and authorization URLs, connect links' return URLs) share.
 * Browser-safe: no server-only imports.
 */

/** `value` as an absolute URL, or null when it is not one. */
export function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

export type HttpUrlProblem = "not_absolute" | "not_https" | "credentials";

/**
 * A URL that Authdesk calls or sends a browser to: absolute, https, or plain http when
 * `allowHttp` (where private URLs are allowed), and with no user name or password in it, which
 * would be sent on or shown in the address bar. Callers add their own rules (fragment, query).
 */
export function checkHttpUrl(
  value: string,
  options: { allowHttp: boolean },
): { ok: true; url: URL } | { ok: false; problem: HttpUrlProblem } {
  const url = parseUrl(value);
  if (!url) return { ok: false, problem: "not_absolute" };
  if (url.protocol !== "https:" && !(url.protocol === "http:" && options.allowHttp)) {
    return { ok: false, problem: "not_https" };
  }
  if (url.username || url.password) return { ok: false, problem: "credentials" };
  return { ok: true, url };
}

/** checkHttpUrl's URL, or null whatever the problem. */
export function parseHttpUrl(value: string, options: { allowHttp: boolean }): URL | null {
  const checked = checkHttpUrl(value, options);
  return checked.ok ? checked.url : null;
}
