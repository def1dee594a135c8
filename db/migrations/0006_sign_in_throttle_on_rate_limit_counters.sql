-- The sign-in throttle now counts in rate_limit_counters (lib/auth/throttle.ts), like every other
-- limit. Counts in flight are dropped: at worst an address gets a fresh 15-minute window.
DROP TABLE "sign_in_throttle" CASCADE;