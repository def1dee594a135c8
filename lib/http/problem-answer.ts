import "server-only";

/** RFC 9457 problem details that server.ts answers itself, before any app sees the request. */
export interface ProblemAnswer {
  body: string;
  headers: Record<string, string>;
}

export function problemAnswer(
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): ProblemAnswer {
  const body = JSON.stringify({ type: "about:blank", title, status, detail });
  return {
    body,
    headers: {
      ...headers,
      "Content-Type": "application/problem+json",
      "Content-Length": String(Buffer.byteLength(body)),
      "Cache-Control": "no-store",
    },
  };
}
