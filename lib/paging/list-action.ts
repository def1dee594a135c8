import "server-only";
import type { z } from "zod";
import type { SignedInAdmin } from "@/lib/auth/sessions";
import { unexpectedFailure } from "@/lib/forms/action-support";
import { type ListPageResult, listQuerySchema, type Page } from "./contract";
import { InvalidCursorError, type ListOptions } from "./list-query";

export const RELOAD_MESSAGE = "Reload the page and try again.";

/**
 * The body every list action shares, after it has checked the session: parse the query, read
 * one page, send it through the allowlist. Only the search is typed by people; a cursor that
 * fails the schema or does not decode did not come from our page, so the answer is "reload",
 * never a server error.
 */
export async function listPageAction<Row, Item>(
  admin: SignedInAdmin,
  area: string,
  input: unknown,
  read: (options: ListOptions) => Promise<Page<Row>>,
  output: z.ZodType<Page<Item>>,
): Promise<ListPageResult<Item>> {
  const parsed = listQuerySchema.safeParse(input ?? {});
  if (!parsed.success) {
    const search = parsed.error.issues.find((issue) => issue.path[0] === "search");
    return { ok: false, formError: search ? search.message : RELOAD_MESSAGE };
  }
  try {
    const page = await read({
      search: parsed.data.search || undefined,
      after: parsed.data.after,
    });
    return { ok: true, ...output.parse(page) };
  } catch (error) {
    if (error instanceof InvalidCursorError) return { ok: false, formError: RELOAD_MESSAGE };
    return unexpectedFailure(area, "list", admin, error);
  }
}
