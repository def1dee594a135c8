import { z } from "zod";

/**
 * Who may use a record through the public API: the one access-list pattern that integrations
 * and auth configs share (docs/least-privilege.md). "all" lets in every caller holding the
 * route's scope; "selected" lets in only the chosen API clients, and tills (Basic
 * authentication) only when `tills` is set. The console's form and the actions parse with it.
 */
export const apiAccessSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("all") }).strict(),
  z
    .object({
      mode: z.literal("selected"),
      clientIds: z.array(z.string().regex(/^cli_[0-9a-f]{20}$/, "Unknown API client")).max(1_000),
      tills: z.boolean().default(false),
    })
    .strict(),
]);

export type ApiAccessInput = z.input<typeof apiAccessSchema>;
export type ApiAccessSetting = z.output<typeof apiAccessSchema>;

/** An API client as the access list shows it. */
export const accessClientOutput = z.object({
  id: z.string(),
  name: z.string(),
  clientKey: z.string(),
});

/** A record's access as it leaves the server (an allowlist, like every output schema). */
export const apiAccessOutput = z.object({
  mode: z.enum(["all", "selected"]),
  tills: z.boolean(),
  clients: z.array(accessClientOutput),
});

export type AccessClient = z.output<typeof accessClientOutput>;
export type ApiAccess = z.output<typeof apiAccessOutput>;

/** A list that does not parse (not what the picker sends): the field error both forms show. */
export const UNREADABLE_CLIENT_LIST = { clientIds: "Choose API clients from the list." };

/** Saving a list that names a client deleted meanwhile: the field error both forms show. */
export const DELETED_CLIENT_IN_LIST = {
  clientIds: "An API client in this list was deleted; remove it and save again.",
};
