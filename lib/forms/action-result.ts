/** The failure every console server action can return: a message for the whole form. */
export type ActionFailure = { ok: false; formError: string };
