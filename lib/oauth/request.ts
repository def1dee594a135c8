/**
 * Parsing of OAuth endpoint requests (RFC 6749 §2.3.1, §3.2): the form body and the client's
 * credentials, strictly, so that anything malformed becomes an RFC error instead of a guess.
 * Pure functions over strings; the routes in lib/api feed them. The parameters found in the form
 * are then judged by the schemas in schema.ts.
 */
import "server-only";

export type FormResult =
  | { ok: true; params: Map<string, string> }
  | { ok: false; description: string };

const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";

/** RFC 6749 §3.2: form-encoded bodies only, and no parameter more than once. */
export function parseForm(contentType: string | undefined, body: string): FormResult {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== FORM_MEDIA_TYPE) {
    return { ok: false, description: `The request body must be ${FORM_MEDIA_TYPE}.` };
  }
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    // PostgreSQL text cannot hold NUL, so such a value would fail the query instead of matching.
    if (name.includes("\0") || value.includes("\0")) {
      return { ok: false, description: "The request body contains a NUL character." };
    }
    if (params.has(name)) {
      return { ok: false, description: `The parameter "${name}" appears more than once.` };
    }
    params.set(name, value);
  }
  return { ok: true, params };
}

export type ClientCredentials =
  | { method: "client_secret_basic" | "client_secret_post"; clientId: string; secret: string }
  | { method: "none" };

export type CredentialsResult =
  | { ok: true; credentials: ClientCredentials }
  | { ok: false; error: "invalid_request" | "invalid_client"; description: string };

/**
 * Finds the client's credentials in the Authorization header (client_secret_basic) or in the
 * form (client_secret_post). RFC 6749 §2.3 allows one method per request, so both at once is
 * `invalid_request`; an Authorization header of another scheme is an unsupported method,
 * `invalid_client` (§5.2).
 */
export function readClientCredentials(
  authorization: string | undefined,
  params: Map<string, string>,
): CredentialsResult {
  const formId = params.get("client_id");
  const formSecret = params.get("client_secret");
  if (authorization !== undefined) {
    if (formSecret !== undefined) {
      return malformed("Use one client authentication method: Basic or client_secret, not both.");
    }
    const basic = decodeClientSecretBasic(authorization);
    if (!basic.ok) return basic;
    if (formId !== undefined && formId !== basic.clientId) {
      return malformed("client_id in the body differs from the one in the Authorization header.");
    }
    const { clientId, secret } = basic;
    return { ok: true, credentials: { method: "client_secret_basic", clientId, secret } };
  }
  if (formSecret !== undefined) {
    if (!formId) return malformed("client_secret was sent without client_id.");
    return {
      ok: true,
      credentials: { method: "client_secret_post", clientId: formId, secret: formSecret },
    };
  }
  return { ok: true, credentials: { method: "none" } };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

type CredentialsFailure = Extract<CredentialsResult, { ok: false }>;

function decodeClientSecretBasic(
  authorization: string,
): { ok: true; clientId: string; secret: string } | CredentialsFailure {
  const [scheme, encoded, ...rest] = authorization.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== "basic") {
    return {
      ok: false,
      error: "invalid_client",
      description: "Unsupported client authentication: use HTTP Basic or client_secret_post.",
    };
  }
  if (!encoded || rest.length > 0 || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    return malformed("The Basic credentials are not valid base64.");
  }
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return malformed("The Basic credentials must be client_id:client_secret.");
  // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined and base64-encoded.
  const clientId = formUrlDecode(decoded.slice(0, colon));
  const secret = formUrlDecode(decoded.slice(colon + 1));
  if (clientId === undefined || secret === undefined || `${clientId}${secret}`.includes("\0")) {
    return malformed("The Basic credentials are not correctly form-urlencoded.");
  }
  return { ok: true, clientId, secret };
}

function formUrlDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

function malformed(description: string): CredentialsFailure {
  return { ok: false, error: "invalid_request", description };
}
