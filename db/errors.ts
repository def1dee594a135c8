/** PostgreSQL's unique_violation; drizzle wraps driver errors, so the code may sit on `cause`. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
