import "server-only";
import { headers } from "next/headers";
import { publicOrigin } from "./public-origin";

/**
 * publicOrigin for the request Next is serving: pages and server actions. lib/api's routes run
 * outside Next (server.ts), where next/headers does not work; they read their Hono request.
 */
export async function requestPublicOrigin(publicUrl: string | undefined): Promise<string> {
  const incoming = await headers();
  return publicOrigin(publicUrl, {
    host: incoming.get("host"),
    get: (name) => incoming.get(name),
  });
}
