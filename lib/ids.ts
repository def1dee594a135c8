import { randomBytes } from "node:crypto";

/** Ids people see carry a prefix naming what they are (`adm_…`), like Stripe's. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString("hex")}`;
}
