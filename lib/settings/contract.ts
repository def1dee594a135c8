import { z } from "zod";
import type { ActionFailure } from "@/lib/forms/action-result";

/**
 * What the console receives about the organisation's settings, shared by the server (page and
 * actions) and the browser. The output schema is an allowlist: the server parses what it sends
 * through it, so a field the service grows later is dropped instead of shipped. zod objects strip
 * unknown keys by default. Tills and API groups, shown on the same page, have their own contracts
 * next to their services (lib/tills, lib/api-groups): the API-clients area reads them too.
 */
export const organizationSettingsOutput = z.object({
  basicAuthEnabled: z.boolean(),
  updatedAt: z.date(),
});

export type OrganizationSettingsView = z.output<typeof organizationSettingsOutput>;

/** Something unexpected: a generic message for people, the real cause in the server log. */
export type { ActionFailure };

export type GetSettingsResult = { ok: true; settings: OrganizationSettingsView } | ActionFailure;

export type SetBasicAuthResult =
  | { ok: true; changed: boolean; settings: OrganizationSettingsView }
  | ActionFailure;
