/**
 * A real OAuth 2.0 authorization server on loopback for service tests and Playwright specs:
 * oidc-provider with the authorization-code grant (PKCE required), rotating refresh tokens, open
 * dynamic client registration and its built-in dev login and consent pages. It counts token
 * requests by grant type and remembers every token and secret it handed out, so a test can check
 * that none of them reached an audit row, a response or a page.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface OAuthProviderOptions {
  /** Static clients (authorization_code + refresh_token), e.g. an OAUTH integration's client. */
  clients?: {
    clientId: string;
    clientSecret?: string;
    redirectUris: string[];
    tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post" | "none";
  }[];
  /** Scopes besides openid and offline_access. Default ["read", "write"]. */
  scopes?: string[];
  /** Seconds. Default 3600. */
  accessTokenTtl?: number;
  /** token_endpoint_auth_methods_supported. Default: none, client_secret_basic, client_secret_post. */
  clientAuthMethods?: string[];
  /** An RFC 8707 resource the server issues tokens for (an MCP server URL). */
  resource?: string;
}

export interface OAuthProvider {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  registrationEndpoint: string;
  /** Token-endpoint requests that got an answer, by grant_type (successes and errors). */
  tokenCalls(grantType?: string): number;
  /** Registrations (RFC 7591) that succeeded. */
  registrations(): number;
  /** Every access token, refresh token, client secret and registration token handed out. */
  issuedSecrets(): string[];
  /** Revokes the grant behind a refresh token: it and the grant's other tokens stop working. */
  revokeGrant(refreshToken: string): Promise<void>;
  /** Forgets a (dynamically registered) client, as a server that lost its registrations would. */
  forgetClient(clientId: string): Promise<void>;
  close(): Promise<void>;
}

interface TokenModel {
  grantId?: string;
  destroy(): Promise<void>;
}

interface ProviderInstance {
  callback(): http.RequestListener;
  on(event: string, listener: (ctx: ProviderContext) => void): void;
  RefreshToken: { find(value: string): Promise<TokenModel | undefined> };
  Grant: { find(id: string): Promise<TokenModel | undefined> };
  Client: { adapter: { destroy(id: string): Promise<void> } };
}

interface ProviderContext {
  oidc?: { params?: { grant_type?: unknown } };
}

interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
}

const NOISE = /^oidc-provider (WARNING|NOTICE)/;
/** The values the recorder picks out of the provider's JSON answers. */
const SECRET_KEYS = ["access_token", "refresh_token", "client_secret", "registration_access_token"];

export async function startOAuthProvider(
  options: OAuthProviderOptions = {},
): Promise<OAuthProvider> {
  const restoreWarn = quietWarnings();
  // A computed specifier: oidc-provider ships no types, and only its constructor is needed.
  const specifier: string = "oidc-provider";
  const { default: Provider } = (await import(specifier)) as OidcProviderModule;

  const issued: string[] = [];
  const calls = new Map<string, number>();
  let registrations = 0;
  const sockets = new Set<Socket>();
  let handle: http.RequestListener | undefined;
  const server = http.createServer((req, res) => {
    if (!handle) return void res.writeHead(503).end();
    recordSecrets(res, issued);
    handle(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, configuration(options));
  const countGrant = (ctx: ProviderContext) => {
    const grantType = String(ctx.oidc?.params?.grant_type ?? "unknown");
    calls.set(grantType, (calls.get(grantType) ?? 0) + 1);
  };
  provider.on("grant.success", countGrant);
  provider.on("grant.error", countGrant);
  provider.on("registration_create.success", () => {
    registrations += 1;
  });
  handle = provider.callback();

  return {
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    registrationEndpoint: `${issuer}/reg`,
    tokenCalls: (grantType) =>
      grantType ? (calls.get(grantType) ?? 0) : [...calls.values()].reduce((a, b) => a + b, 0),
    registrations: () => registrations,
    issuedSecrets: () => [...issued],
    revokeGrant: async (refreshToken) => {
      const token = await provider.RefreshToken.find(refreshToken);
      if (!token?.grantId) throw new Error("no such refresh token");
      await (await provider.Grant.find(token.grantId))?.destroy();
      await token.destroy();
    },
    forgetClient: (clientId) => provider.Client.adapter.destroy(clientId),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        restoreWarn();
      }),
  };
}

function configuration(options: OAuthProviderOptions): Record<string, unknown> {
  const scopes = options.scopes ?? ["read", "write"];
  const ttl = options.accessTokenTtl ?? 3600;
  return {
    clients: (options.clients ?? []).map((client) => ({
      client_id: client.clientId,
      ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
      redirect_uris: client.redirectUris,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method:
        client.tokenEndpointAuthMethod ?? (client.clientSecret ? "client_secret_basic" : "none"),
    })),
    scopes: ["openid", "offline_access", ...scopes],
    pkce: { required: () => true },
    // Refresh tokens without offline_access, as most OAuth 2.0 services issue them.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ttl,
      AuthorizationCode: 60,
      RefreshToken: 24 * 3600,
      Grant: 24 * 3600,
      Session: 3600,
      Interaction: 600,
      RegistrationAccessToken: 24 * 3600,
    },
    clientAuthMethods: options.clientAuthMethods ?? [
      "none",
      "client_secret_basic",
      "client_secret_post",
    ],
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      resourceIndicators: resourceIndicators(options.resource, scopes),
    },
  };
}

/** Tokens for `resource` carry its scopes; without one, only requests with no resource work. */
function resourceIndicators(resource: string | undefined, scopes: string[]) {
  return {
    enabled: true,
    defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
    useGrantedResource: async () => true,
    getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
      if (indicator !== resource) throw new Error("unknown resource");
      return { scope: scopes.join(" "), accessTokenFormat: "opaque", audience: resource };
    },
  };
}

/** oidc-provider warns that its in-memory adapter and dev keys are for development: true. */
function quietWarnings(): () => void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && NOISE.test(args[0])) return;
    warn(...args);
  };
  return () => {
    console.warn = warn;
  };
}

/** Reads each JSON answer on its way out and keeps every token and secret in it. */
function recordSecrets(res: http.ServerResponse, issued: string[]): void {
  const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.end = ((...args: unknown[]) => {
    const [chunk] = args;
    if (typeof chunk === "string" || Buffer.isBuffer(chunk)) {
      try {
        const body = JSON.parse(chunk.toString()) as Record<string, unknown>;
        for (const key of SECRET_KEYS) {
          const value = body[key];
          if (typeof value === "string") issued.push(value);
        }
      } catch {
        // Not JSON (an HTML page, a redirect): nothing issued.
      }
    }
    return end(...args);
  }) as typeof res.end;
}

export interface AuthorizationOutcome {
  /** Where the provider sent the browser back (the redirect URI with code/state or error). */
  callbackUrl: string;
  code: string | null;
  state: string | null;
  error: string | null;
  /** RFC 9207: the issuer the provider names in its response. */
  iss: string | null;
}

/**
 * Plays the end user's browser with plain HTTP: follows the authorization URL through the dev
 * login (any login, any password) and consent forms, keeping cookies, until the provider
 * redirects away from itself, and returns that callback. `deny` presses nothing on the consent
 * page and aborts instead, as an end user saying no would.
 */
export async function authorizeAsEndUser(
  authorizationUrl: string,
  options: { login?: string; deny?: boolean } = {},
): Promise<AuthorizationOutcome> {
  const origin = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  let request: { url: string; form?: Record<string, string> } = { url: authorizationUrl };
  for (let step = 0; step < 20; step++) {
    const response = await fetch(request.url, {
      method: request.form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; "),
        ...(request.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(request.form ? { body: new URLSearchParams(request.form).toString() } : {}),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    const location = response.headers.get("location");
    if (location) {
      const next = new URL(location, request.url);
      if (next.origin !== origin) return outcome(next);
      request = { url: next.toString() };
      continue;
    }
    request = nextForm(await response.text(), request.url, options);
  }
  throw new Error("the provider's pages did not lead back to the client within 20 steps");
}

function outcome(url: URL): AuthorizationOutcome {
  return {
    callbackUrl: url.toString(),
    code: url.searchParams.get("code"),
    state: url.searchParams.get("state"),
    error: url.searchParams.get("error"),
    iss: url.searchParams.get("iss"),
  };
}

/** The dev login or consent page's form, filled in; the abort link when denying consent. */
function nextForm(
  html: string,
  pageUrl: string,
  options: { login?: string; deny?: boolean },
): { url: string; form?: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
  if (!action || !prompt) throw new Error("the provider showed a page without its dev form");
  const url = new URL(action.replaceAll("&amp;", "&"), pageUrl).toString();
  if (prompt === "login") {
    return { url, form: { prompt, login: options.login ?? "end-user-1", password: "any" } };
  }
  if (options.deny) {
    const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
    if (!abort) throw new Error("the consent page has no abort link");
    return { url: new URL(abort, pageUrl).toString() };
  }
  return { url, form: { prompt } };
}
