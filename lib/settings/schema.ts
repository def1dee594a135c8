import { z } from "zod";

/** The "Enable Basic Authentication" switch, as the settings form and its action send it. */
export const setBasicAuthEnabledSchema = z
  .object({
    enabled: z.boolean({ message: "Choose Yes or No" }),
  })
  .strict();

export type SetBasicAuthEnabledInput = z.output<typeof setBasicAuthEnabledSchema>;
