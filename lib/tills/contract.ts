import { z } from "zod";
import type { ActionFailure } from "@/lib/forms/action-result";
import { type ListPageResult, pageOutput } from "@/lib/paging/contract";
import type { CreateTillFields, createTillSchema } from "./schema";

/**
 * What the console receives about tills, shared by the server (pages and actions) and the
 * browser. The output schema is an allowlist: the server parses every till it sends through it,
 * so a field the service grows later (the password hash, say) is dropped instead of shipped.
 * zod objects strip unknown keys by default.
 */
export const tillOutput = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  createdAt: z.date(),
  /** What Basic requests as the till carry (its permissions as scopes). */
  scopes: z.array(z.string()),
  apiClientCount: z.number().int(),
});

export type Till = z.output<typeof tillOutput>;

/** The raw form values the dialog sends; the action parses them with the shared schema. */
export type CreateTillFormInput = z.input<typeof createTillSchema>;
export type CreateTillFieldErrors = Partial<Record<CreateTillFields, string>>;

/** Something unexpected: a generic message for people, the real cause in the server log. */
export type { ActionFailure };

export type ListTillsResult = ListPageResult<Till>;

/** The allowlist for a page of the list leaving the server. */
export const tillListPageOutput = pageOutput(tillOutput);

export type CreateTillResult =
  | { ok: true; till: Omit<Till, "apiClientCount"> }
  | { ok: false; fieldErrors: CreateTillFieldErrors }
  | ActionFailure;

/** `inUse`: API clients act as the till, and `formError` says how many. */
export type DeleteTillResult =
  | { ok: true; deleted: { id: string; code: string; name: string } }
  | (ActionFailure & { notFound?: boolean; inUse?: boolean });
