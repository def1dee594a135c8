import "server-only";
import { z } from "zod";

/**
 * Next's client router sends the tree it shows in `Next-Router-State-Tree` (URI-encoded JSON) on
 * RSC requests, and Next answers a header it cannot parse with a 500. server.ts checks it first
 * and answers a 400. The schema mirrors Next's own (flightRouterStateSchema in
 * next/dist/server/app-render/types); router-state.test.ts compares the two on generated
 * headers, so an upgrade that changes Next's fails that test instead of refusing real traffic.
 */

/** Next's own limit: about 2,000 route segments. */
export const MAX_ROUTER_STATE_LENGTH = 40_000;

/** Far more nesting than our routes have; keeps the recursive schema's work bounded. */
const MAX_ROUTER_STATE_DEPTH = 64;

const dynamicParamType = z.enum([
  "c",
  "ci(..)(..)",
  "ci(.)",
  "ci(..)",
  "ci(...)",
  "oc",
  "d",
  "di(..)(..)",
  "di(.)",
  "di(..)",
  "di(...)",
]);

const segment = z.union([
  z.string(),
  z.tuple([z.string(), z.string(), dynamicParamType, z.array(z.string()).nullable()]),
]);

type RouterState = [unknown, Record<string, RouterState> | RouterState[], ...unknown[]];

const routerState: z.ZodType<RouterState> = z.lazy(() =>
  z.tuple([
    segment,
    // Next's validator (superstruct's record) takes a list here too; so do we.
    z.union([z.record(z.string(), routerState), z.array(routerState)]),
    z.tuple([z.string(), z.string()]).nullable().optional(),
    z.enum(["refetch", "inside-shared-layout", "metadata-only"]).nullable().optional(),
    z.number().nullable().optional(),
    z.string().optional(),
  ]),
) as z.ZodType<RouterState>;

/** True when Next would accept the header; undefined (no header) is fine too. */
export function isValidRouterState(header: string | string[] | undefined): boolean {
  if (header === undefined) return true;
  if (Array.isArray(header) || header.length > MAX_ROUTER_STATE_LENGTH) return false;
  let state: unknown;
  try {
    state = JSON.parse(decodeURIComponent(header));
  } catch {
    return false;
  }
  return depthOf(state) <= MAX_ROUTER_STATE_DEPTH && routerState.safeParse(state).success;
}

/** Nesting depth of arrays and objects, without recursing past the limit. */
function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_ROUTER_STATE_DEPTH || typeof value !== "object" || value === null) return depth;
  let deepest = depth;
  for (const item of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(item, depth + 1));
    if (deepest > MAX_ROUTER_STATE_DEPTH) break;
  }
  return deepest;
}
