import { z } from "zod";
import type { ActionFailure } from "@/lib/forms/action-result";

/**
 * How every console list travels a page at a time (auth configs, API clients, integrations,
 * tills). Browser-safe: the server's side of the cursor is in ./keyset.ts.
 *
 * A list is ordered by an indexed key with the id as tie-breaker; a page ends with an opaque
 * cursor that names where it stopped, and the next page starts strictly after it. Nothing counts
 * the whole table: "is there more?" comes from asking for one row beyond the page.
 */
export const PAGE_SIZE = 50;

/**
 * Counts shown beside a row (a till's API clients, a group's) stop one past this: a count above
 * it reads "1,000+", so a row costs no more for a till used by 100,000 clients than by a thousand.
 */
export const COUNT_CAP = 1_000;

/** A cursor is base64url text; anything else did not come from our server. */
export const cursorSchema = z
  .string()
  .max(1_400)
  .regex(/^[A-Za-z0-9_-]+$/);

/** What a list action accepts: part of a name to search for, and where the last page ended. */
export const listQuerySchema = z
  .object({
    search: z.string().trim().max(64, "Search for at most 64 characters.").optional(),
    after: cursorSchema.optional(),
  })
  .strict();

export type ListQuery = z.input<typeof listQuerySchema>;

/** One page; `nextCursor` is null on the last one. */
export type Page<Item> = { items: Item[]; nextCursor: string | null };

export type ListPageResult<Item> = ({ ok: true } & Page<Item>) | ActionFailure;

/** The allowlist a page is parsed through before it leaves the server. */
export function pageOutput<Item extends z.ZodType>(item: Item) {
  return z.object({ items: z.array(item), nextCursor: cursorSchema.nullable() });
}
