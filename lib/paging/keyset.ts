import "server-only";
import { z } from "zod";
import { PAGE_SIZE, type Page } from "./contract";

/**
 * Where a page stopped: the sort key and id of its last row. It is encoded, not signed: the
 * browser may send any cursor back, which only moves where the next page starts, so decoding
 * checks its shape and nothing more.
 */
export type Cursor = { key: string; id: string };

const decodedCursor = z.tuple([z.string().max(1_000), z.string().min(1).max(100)]);

export function encodeCursor({ key, id }: Cursor): string {
  return Buffer.from(JSON.stringify([key, id])).toString("base64url");
}

/** The cursor, or null when the text is not one of ours. */
export function decodeCursor(text: string): Cursor | null {
  try {
    const parsed = decodedCursor.safeParse(JSON.parse(Buffer.from(text, "base64url").toString()));
    return parsed.success ? { key: parsed.data[0], id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

/**
 * Cuts the rows of a query that asked for `limit + 1` into a page: the extra row, if it came,
 * says there is a next page without counting anything.
 */
export function pageFrom<Row extends { id: string }>(
  rows: Row[],
  keyOf: (row: Row) => string,
  limit = PAGE_SIZE,
): Page<Row> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > limit && last ? encodeCursor({ key: keyOf(last), id: last.id }) : null,
  };
}
