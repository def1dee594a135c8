import type { Database } from "@/db/client";

/**
 * Wraps a database so a test can count the queries a code path makes (e.g. "a cache hit does no
 * I/O", "an unknown client costs the same work as a wrong secret").
 */
export function countingDatabase(db: Database): { db: Database; calls: () => number } {
  let calls = 0;
  const counted = new Set(["select", "insert", "update", "delete", "execute", "transaction"]);
  const proxy = new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function" || !counted.has(String(property))) return value;
      return (...args: unknown[]) => {
        calls += 1;
        return value.apply(target, args);
      };
    },
  });
  return { db: proxy, calls: () => calls };
}
