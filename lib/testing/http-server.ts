/**
 * Loopback HTTP servers for tests and benchmarks that need a real server to talk to: the token
 * broker's fake token server, the outbound client's and the sandbox's fetch targets. They listen
 * on 127.0.0.1 only.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Closes a server and every connection it still has, so no test leaves a socket behind. */
export function closer(server: http.Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A server each test tells how to answer; it records every request it got. */
export interface RecordingServer {
  url(path?: string): string;
  port: number;
  requests: RecordedRequest[];
  /** TCP connections accepted, whether or not a request followed. */
  connections(): number;
  respond(handler: http.RequestListener): void;
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(500).end();
  };
  let connections = 0;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      handler(req, res);
    });
  });
  server.on("connection", (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: (path = "/") => `http://127.0.0.1:${port}${path}`,
    port,
    requests,
    connections: () => connections,
    respond: (next) => {
      handler = next;
    },
    close: closer(server, sockets),
  };
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      ...headers,
    })
    .end(text);
}
