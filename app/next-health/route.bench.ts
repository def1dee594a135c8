import { checkHealth } from "@/lib/health";
import { getDb } from "@/lib/runtime";

/**
 * The same check as GET /api/health, served through Next's router. It exists so
 * bench/server-paths.ts can compare the two paths in one run; like /api/health it is public on
 * purpose (load balancers call it) and reveals nothing but readiness.
 */
export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth(await getDb());
  return Response.json(health, { status: health.status === "ok" ? 200 : 503 });
}
