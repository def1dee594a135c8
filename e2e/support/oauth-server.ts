import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A real OAuth 2.0 authorization server on loopback for the console specs: oidc-provider with
 * the client-credentials grant and one client. It remembers every access token it issued, so a
 * spec can check that none of them reached the browser.
 */
export interface OAuthServer {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  /** Every access_token value the server has handed out so far. */
  issuedTokens(): string[];
  close(): Promise<void>;
}

interface OidcProviderModule {
  default: new (
    issuer: string,
    configuration: Record<string, unknown>,
  ) => { callback(): http.RequestListener };
}

const NOISE = /^oidc-provider (WARNING|NOTICE)/;

/** Ten-minute tokens; set explicitly, since oidc-provider nags about its default otherwise. */
const TOKEN_TTL = { ClientCredentials: () => 600 };

export async function startOAuthServer(client: {
  clientId: string;
  clientSecret: string;
  scopes: string[];
}): Promise<OAuthServer> {
  // oidc-provider warns that its in-memory adapter and dev keys are for development: true, and
  // what a loopback test server wants.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && NOISE.test(args[0])) return;
    warn(...args);
  };
  // A computed specifier: oidc-provider ships no types, and only its constructor is needed.
  const specifier: string = "oidc-provider";
  const { default: Provider } = (await import(specifier)) as OidcProviderModule;

  const issued: string[] = [];
  const sockets = new Set<Socket>();
  let handle: http.RequestListener | undefined;
  const server = http.createServer((req, res) => {
    if (!handle) return void res.writeHead(503).end();
    if (req.method === "POST" && req.url?.split("?")[0] === "/token") recordTokens(res, issued);
    handle(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "client_secret_basic",
        scope: client.scopes.join(" "),
      },
    ],
    scopes: client.scopes,
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    ttl: TOKEN_TTL,
  });
  handle = provider.callback();

  return {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    ...client,
    issuedTokens: () => [...issued],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        console.warn = warn;
      }),
  };
}

/** Reads the token response on its way out and keeps its access_token. */
function recordTokens(res: http.ServerResponse, issued: string[]): void {
  const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.end = ((...args: unknown[]) => {
    const [chunk] = args;
    if (typeof chunk === "string" || Buffer.isBuffer(chunk)) {
      try {
        const body = JSON.parse(chunk.toString()) as { access_token?: unknown };
        if (typeof body.access_token === "string") issued.push(body.access_token);
      } catch {
        // Not JSON (an error page): nothing issued.
      }
    }
    return end(...args);
  }) as typeof res.end;
}
