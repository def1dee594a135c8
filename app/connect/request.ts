import "server-only";
import { headers } from "next/headers";
import { CLIENT_ADDRESS_HEADER, PROTOCOL_HEADER } from "@/lib/http/request-context";
import { requestPublicOrigin } from "@/lib/http/request-origin";
import { type Runtime, startRuntime } from "@/lib/runtime";

/** What the hosted connect pages and their actions need to know about the request. */
export async function connectRequest(): Promise<{
  runtime: Runtime;
  origin: string;
  https: boolean;
  clientAddress: string | null;
}> {
  const [runtime, incoming] = await Promise.all([startRuntime(), headers()]);
  return {
    runtime,
    origin: await requestPublicOrigin(runtime.env.AUTHDESK_PUBLIC_URL),
    https: incoming.get(PROTOCOL_HEADER) === "https",
    clientAddress: incoming.get(CLIENT_ADDRESS_HEADER) || null,
  };
}

/**
 * Logs an unexpected failure of the hosted page for us. Only the error's name and first line:
 * a database error's `params:` line could hold the submitted values, and end users' values are
 * never logged.
 */
export function logConnectFailure(operation: string, error: unknown): void {
  const summary =
    error instanceof Error
      ? `${error.name}: ${error.message.split("\nparams:")[0]?.slice(0, 300)}`
      : String(error).slice(0, 200);
  console.error(`connect page: could not ${operation}: ${summary}`);
}

export const CONNECT_UNEXPECTED =
  "Something went wrong on our side. Try again in a moment; if it keeps failing, tell the app that sent you this link.";
