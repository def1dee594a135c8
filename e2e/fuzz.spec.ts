import { ADMIN, expect, signIn, test } from "./fixtures";
import { caseRandom, encodeRequest, Picker, printable, send } from "./support/fuzz";
import { fuzzRequest } from "./support/fuzz-cases";
import { builtServerActions } from "./support/server-actions";

/**
 * Junk requests against the production server: programs' paths and people's paths (pages and
 * server actions with their real ids), with and without a session. Any 5xx, dropped connection
 * or request left unanswered fails. Seeded: the run prints its seed, and each failure its case
 * number and raw request; FUZZ_SEED=<seed> replays the run, adding FUZZ_CASE=<n> one case alone.
 * The suite's own seed is fixed so that main stays reproducible; FUZZ_SEED=random explores.
 */

const COUNT = Number(process.env.FUZZ_COUNT ?? 2_500);
const DEFAULT_SEED = 20261130;
const SEED =
  process.env.FUZZ_SEED === "random"
    ? Math.floor(Math.random() * 2 ** 32)
    : Number(process.env.FUZZ_SEED ?? DEFAULT_SEED);
const ONLY_CASE = process.env.FUZZ_CASE === undefined ? null : Number(process.env.FUZZ_CASE);
/** Requests in flight at once: enough to keep the server busy on a small machine. */
const PARALLEL = 6;
/** A page render on a loaded machine takes well under this; no answer by then is a hang. */
const ANSWER_TIMEOUT_MS = 30_000;
/** Every request comes from this documentation address (the e2e server trusts the proxy
 * headers), so throttles the junk trips never slow the other specs, which come from 127.0.0.1. */
const FUZZ_ADDRESS = "203.0.113.7";

test("junk requests get a 4xx or a page, never a 5xx, a dropped connection or no answer", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const origin = baseURL ?? "";
  const port = Number(new URL(origin).port);
  const actions = builtServerActions();
  expect(actions.length, "actions in the build's manifest").toBeGreaterThan(20);

  // A session of its own, so signing in elsewhere or out here affects no other spec.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/login");
  await signIn(page, ADMIN);
  await expect(page).toHaveURL(/\/auth-configs$/);
  const session = (await context.cookies()).find((cookie) => cookie.name === "authdesk_session");
  await context.close();
  expect(session?.value).toBeTruthy();

  const targets = {
    // Signing out would end the session the other cases use; it takes no input to fuzz.
    actions: actions.filter((action) => action.name !== "signOutAction"),
    sessionCookie: session?.value ?? "",
    origin,
  };
  const indexes = ONLY_CASE === null ? [...Array(COUNT).keys()] : [ONLY_CASE];
  console.log(
    `fuzz: seed ${SEED}, ${indexes.length} requests (replay with FUZZ_SEED=${SEED}${ONLY_CASE === null ? "" : ` FUZZ_CASE=${ONLY_CASE}`})`,
  );

  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    for (let index = indexes[next++]; index !== undefined; index = indexes[next++]) {
      const request = fuzzRequest(new Picker(caseRandom(SEED, index)), targets);
      request.headers.push(["X-Forwarded-For", FUZZ_ADDRESS]);
      const bytes = encodeRequest(request, `127.0.0.1:${port}`);
      const outcome = await send(port, bytes, ANSWER_TIMEOUT_MS);
      if (outcome.kind === "answered") {
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        if (outcome.status < 500) continue;
      }
      const what =
        outcome.kind === "answered"
          ? outcome.head.split("\r\n")[0]
          : outcome.kind === "dropped"
            ? `dropped connection (${outcome.detail})`
            : `no answer in ${ANSWER_TIMEOUT_MS / 1000} s`;
      failures.push(`FUZZ_SEED=${SEED} FUZZ_CASE=${index}: ${what}\n  ${printable(bytes)}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));

  console.log(
    `fuzz: ${indexes.length} requests sent; statuses ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(", ")}`,
  );
  expect(failures, `seed ${SEED}: requests answered with 5xx, dropped or unanswered`).toEqual([]);
});
