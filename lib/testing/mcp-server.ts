/**
 * A stand-in MCP server for OAUTH_DCR service tests and Playwright specs: it serves only RFC 9728
 * protected-resource metadata for its /mcp path, naming the authorization server that protects
 * it, and 404 for anything else. That server is asked for at each request, because it is usually
 * started afterwards: it issues tokens for this server's URL as their resource (RFC 8707).
 */
import { type RecordedRequest, sendJson, startRecordingServer } from "./http-server";

export interface McpServer {
  /** The MCP server's URL: what an OAUTH_DCR integration is configured with. */
  serverUrl: string;
  /** Every request it got, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startMcpServer(
  authorizationServer: () => string,
  options: { scopesSupported?: string[] } = {},
): Promise<McpServer> {
  const server = await startRecordingServer();
  const serverUrl = server.url("/mcp");
  server.respond((req, res) => {
    if (req.url !== "/.well-known/oauth-protected-resource/mcp") {
      sendJson(res, 404, { error: "not_found" });
      return;
    }
    sendJson(res, 200, {
      resource: serverUrl,
      authorization_servers: [authorizationServer()],
      ...(options.scopesSupported ? { scopes_supported: options.scopesSupported } : {}),
    });
  });
  return { serverUrl, requests: server.requests, close: server.close };
}
