// The sandbox's worker thread: runs one authTestCode at a time in a fresh QuickJS runtime
// (WebAssembly). Plain JavaScript on purpose: the pool starts it from disk by path, so neither
// Next's bundler nor a TypeScript loader is involved, and it imports only node built-ins and the
// two QuickJS packages.
//
// Protocol (structured-clone messages; the guest's data is always a string):
//   pool → worker  { type: "run", id, code, secrets, limits }   secrets is JSON text
//                  { type: "check", id, code, limits }
//                  { type: "fetch-result", id, fetchId, reply }  reply is JSON text
//   worker → pool  { type: "ready" }                              once QuickJS has loaded
//                  { type: "started", id }                        the job arrived
//                  { type: "checked", id }                        a run's code compiled alone
//                  { type: "fetch", id, fetchId, request }        request is JSON text
//                  { type: "fetch-refused", id, method, methodCut, url, urlCut, error }
//                  { type: "log", id, line }
//                  { type: "done", id, outcome, retire }
//
// outcome is { ok: true, json } or { ok: false, kind, name, message }, with kind "threw",
// "syntax", "resources" or "unavailable", or { ok: false, kind: "timeout", reason } with reason
// "deadline" or "never_settles". retire asks the pool to replace this worker: QuickJS failed on
// the host side (a host stack overflow, an abort while disposing), and the module may no longer
// be sound.
//
// The guest's fetch calls and log lines are counted and bounded here, before anything is posted:
// the host thread is the authority on every limit, but a message it has to receive is already a
// cost to it, so a request the host would refuse (the sixth, one with a 1 MiB body) is refused
// here with the host's own words (limits.fetch.errors) and never posted. A refused request that
// still counts is reported with a short "fetch-refused" notice, for the run's report.
//
// The pool terminates this thread when a run outlives its deadline by a margin: the interrupt
// handler below runs between bytecode steps only, and some built-ins run long without one. Code
// that keeps running although the handler said stop ends this thread itself (interruptAt).
import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";

const GUEST_RUNTIME = readFileSync(new URL("./guest-runtime.js", import.meta.url), "utf8");

// QuickJS builds `new AsyncFunction("secrets", "fetch", code)` by evaluating the text
// "(async function anonymous(secrets,fetch\n) {\n" + code + "\n})", so code such as
// "}); stealTime(); (function(){" would close the wrapper early and run at construction. This
// checker does the construction in a bare context (no bridges, no secrets) and accepts the code
// only when the function it got back spans the whole text; the run's own context then builds a
// function from code known not to escape. The intrinsics it uses are captured before the code is
// evaluated, so code that escapes cannot fake the verdict.
//
// Code that escapes does run here, in that bare context, so the check has its own short deadline
// (limits.checkTimeoutMs): compiling 16 KiB takes a few milliseconds at most, so code still
// running at that deadline can only be code that escaped, and it is reported as such.
const CHECKER = `(function () {
  "use strict";
  const AsyncFunction = (async () => {}).constructor;
  const toSource = Function.prototype.toString;
  const apply = Reflect.apply;
  const text = String;
  return function check(code) {
    const expected = "async function anonymous(secrets,fetch\\n) {\\n" + code + "\\n}";
    let compiled;
    try {
      compiled = new AsyncFunction("secrets", "fetch", code);
    } catch (error) {
      try {
        return text(error.name) + "\\n" + text(error.message);
      } catch {
        return "SyntaxError\\nthe code does not compile";
      }
    }
    if (typeof compiled !== "function" || apply(toSource, compiled, []) !== expected) {
      return "SyntaxError\\nthe code closes the function it is wrapped in";
    }
    return "";
  };
})()`;

const EVADED_AFTER_MS = 20;
const DEADLINE = { ok: false, kind: "timeout", reason: "deadline" };

const ESCAPED = {
  ok: false,
  kind: "syntax",
  name: "SyntaxError",
  message: "the code closes the function it is wrapped in",
};

const quickjs = await newQuickJSWASMModuleFromVariant(variant);

/** The run in progress: its id, the fetches it awaits, and how to wake its settle loop. */
let active;

parentPort.on("message", (message) => {
  if (message.type === "fetch-result") deliverFetchResult(message);
  else if (message.type === "run" || message.type === "check") void handle(message);
});
parentPort.postMessage({ type: "ready" });

async function handle(job) {
  // The pool's short deadline for the check starts now, not when it sent the job.
  parentPort.postMessage({ type: "started", id: job.id });
  const { outcome, retire } = job.type === "check" ? checkJob(job) : await runJob(job);
  parentPort.postMessage({ type: "done", id: job.id, outcome, retire });
}

function newRuntime(limits) {
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  // Small on purpose: WebAssembly recursion uses this thread's own stack, and a QuickJS stack
  // near the thread's size makes deep recursion a host RangeError instead of a guest one.
  runtime.setMaxStackSize(limits.stackBytes);
  return runtime;
}

/**
 * Stops the code at `deadline`. Code can catch the interrupt: QuickJS turns one raised inside an
 * async function or a promise executor into a rejection, and a loop that starts such functions
 * carries on. The handler keeps being asked while that code runs, so once it has said stop for
 * EVADED_AFTER_MS the worker gives up on the job: it reports `outcome` and ends this thread, which
 * the pool replaces. Without this, only the pool's kill (the margin later) would stop such code.
 */
function interruptAt(runtime, deadline, job, outcome) {
  let firstStop;
  runtime.setInterruptHandler(() => {
    const now = Date.now();
    if (now < deadline) return false;
    firstStop ??= now;
    if (now - firstStop >= EVADED_AFTER_MS) abandon(job, outcome);
    return true;
  });
}

function abandon(job, outcome) {
  parentPort.postMessage({ type: "done", id: job.id, outcome, retire: true });
  process.exit(0);
}

/** The check's deadline: its own short one, within the job's. */
function checkDeadline(limits, jobDeadline) {
  return Math.min(jobDeadline, Date.now() + limits.checkTimeoutMs);
}

function checkJob(job) {
  const deadline = checkDeadline(job.limits, Date.now() + job.limits.timeoutMs);
  let runtime;
  let outcome;
  let hostFailed = false;
  try {
    runtime = newRuntime(job.limits);
    interruptAt(runtime, deadline, job, ESCAPED);
    outcome = checkCode(runtime, job.code, deadline) ?? { ok: true, json: "null" };
  } catch (error) {
    outcome = hostFailure(error);
    hostFailed = true;
  }
  return { outcome, retire: hostFailed || !disposeAll([runtime]) };
}

async function runJob(job) {
  const deadline = Date.now() + job.limits.timeoutMs;
  const run = {
    id: job.id,
    deferreds: new Map(),
    nextFetchId: 1,
    fetchesLeft: job.limits.fetch.maxFetches,
    logLinesLeft: job.limits.maxLogLines,
    wake: undefined,
    context: undefined,
  };
  const handles = [];
  let runtime;
  let outcome;
  let hostFailed = false;
  try {
    runtime = newRuntime(job.limits);
    const checkBy = checkDeadline(job.limits, deadline);
    interruptAt(runtime, checkBy, job, ESCAPED);
    outcome = checkCode(runtime, job.code, checkBy);
    if (!outcome) {
      // The pool now gives the job until its own deadline (plus the margin) instead.
      parentPort.postMessage({ type: "checked", id: job.id });
      interruptAt(runtime, deadline, job, DEADLINE);
      run.context = runtime.newContext();
      active = run;
      outcome = await runChecked(runtime, run, job, deadline, handles);
    }
  } catch (error) {
    outcome = hostFailure(error);
    hostFailed = true;
  }
  active = undefined;
  // Handles still alive at dispose (a fetch awaited past the deadline) abort QuickJS: every one
  // goes before its context, and the context before the runtime.
  const sound = disposeAll([...run.deferreds.values(), ...handles, run.context, runtime]);
  return { outcome, retire: hostFailed || !sound };
}

/**
 * Undefined when the code compiles as the function body and nothing else; else the outcome. A
 * verdict that came back is the parser's (or the escaped code's own) error, whatever the clock
 * says; a check that did not come back by its deadline was running escaped code.
 */
function checkCode(runtime, code, deadline) {
  const context = runtime.newContext();
  const handles = [];
  try {
    const check = track(handles, unwrap(context, context.evalCode(CHECKER, "check.js")));
    const verdict = callForText(context, check, [code], handles);
    if (verdict.ok && verdict.text === "") return undefined;
    if (verdict.ok) return classify(splitDescription(verdict.text), Infinity, "syntax");
    track(handles, verdict.error);
    if (Date.now() >= deadline) return ESCAPED;
    return classify(describeUnreadable(), deadline, "syntax");
  } finally {
    disposeAll(handles);
    context.dispose();
  }
}

async function runChecked(runtime, run, job, deadline, handles) {
  const context = run.context;
  const guest = installGuest(context, run, job.limits, handles);
  const compiled = callForText(context, guest.compile, [job.code], handles);
  if (!compiled.ok) track(handles, compiled.error);
  if (!compiled.ok || compiled.text !== "") {
    return classify(
      compiled.ok ? splitDescription(compiled.text) : describeUnreadable(),
      deadline,
      "syntax",
    );
  }
  const started = context.callFunction(
    guest.invoke,
    context.undefined,
    track(handles, context.newString(job.secrets)),
  );
  if (started.error) {
    const error = track(handles, started.error);
    return classify(describeError(context, guest, error, handles), deadline, "threw");
  }
  const promise = track(handles, started.value);
  return settle(runtime, context, guest, promise, run, job.limits, deadline, handles);
}

/**
 * Runs the guest's jobs until its promise settles. Between rounds it waits for a fetch answer;
 * with no job pending and no fetch in flight nothing can ever settle the promise (the guest has
 * no timers), so that ends the run at once instead of at the deadline.
 */
async function settle(runtime, context, guest, promise, run, limits, deadline, handles) {
  for (;;) {
    const jobs = runtime.executePendingJobs();
    // A job that threw (an interrupt, out of memory) shows in the promise's state or the clock.
    if (jobs.error) jobs.error.dispose();
    if (Date.now() >= deadline) return { ok: false, kind: "timeout", reason: "deadline" };
    const state = context.getPromiseState(promise);
    if (state.type === "fulfilled") {
      const value = track(handles, state.value);
      return serialize(context, guest, value, limits, deadline, handles);
    }
    if (state.type === "rejected") {
      const error = track(handles, state.error);
      return classify(describeError(context, guest, error, handles), deadline, "threw");
    }
    if (runtime.hasPendingJob()) continue;
    if (run.deferreds.size === 0) return { ok: false, kind: "timeout", reason: "never_settles" };
    await nextEvent(run, deadline);
  }
}

function nextEvent(run, deadline) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    run.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

function serialize(context, guest, value, limits, deadline, handles) {
  const result = callForText(context, guest.serialize, [value], handles);
  if (!result.ok) {
    const error = track(handles, result.error);
    const outcome = classify(describeError(context, guest, error, handles), deadline, "threw");
    if (outcome.kind !== "threw") return outcome;
    return {
      ...outcome,
      message: `the returned value cannot be turned into JSON: ${outcome.message}`,
    };
  }
  const bytes = Buffer.byteLength(result.text);
  if (bytes > limits.maxValueBytes) {
    return {
      ok: false,
      kind: "threw",
      name: "ResultError",
      message: `the returned value is ${bytes} bytes as JSON; the limit is ${limits.maxValueBytes}`,
    };
  }
  return { ok: true, json: result.text };
}

/** The guest's own "name\nmessage" for an error value; a fixed text when even that fails. */
function describeError(context, guest, error, handles) {
  const described = callForText(context, guest.describe, [error], handles);
  if (!described.ok) {
    track(handles, described.error);
    return describeUnreadable();
  }
  return splitDescription(described.text);
}

function describeUnreadable() {
  return { name: "Error", message: "the error could not be read" };
}

function splitDescription(text) {
  const newline = text.indexOf("\n");
  return newline < 0
    ? { name: "Error", message: text }
    : { name: text.slice(0, newline), message: text.slice(newline + 1) };
}

/** QuickJS reports interrupts, exhausted memory and stack as InternalError. */
function classify({ name, message }, deadline, kind) {
  if (Date.now() >= deadline || (name === "InternalError" && message === "interrupted")) {
    return { ok: false, kind: "timeout", reason: "deadline" };
  }
  if (name === "InternalError" && /^(out of memory|stack overflow)/.test(message)) {
    return { ok: false, kind: "resources", name, message };
  }
  return { ok: false, kind, name, message };
}

/** A failure of QuickJS itself on the host side; the worker retires after reporting it. */
function hostFailure(error) {
  if (error instanceof RangeError) {
    return { ok: false, kind: "resources", name: "InternalError", message: "stack overflow" };
  }
  return {
    ok: false,
    kind: "unavailable",
    name: "SandboxError",
    message: "the sandbox failed while running the code",
  };
}

// ---------------------------------------------------------------------------------------------
// The guest runtime and its two bridges.

function installGuest(context, run, limits, handles) {
  const hostFetch = track(
    handles,
    context.newFunction("hostFetch", (request) => fetchBridge(context, run, request, limits.fetch)),
  );
  const hostLog = track(
    handles,
    context.newFunction("hostLog", (line) => {
      if (run.logLinesLeft <= 0 || context.typeof(line) !== "string") return;
      run.logLinesLeft -= 1;
      parentPort.postMessage({
        type: "log",
        id: run.id,
        line: context.getString(line).slice(0, limits.guestTextChars),
      });
    }),
  );
  const install = track(
    handles,
    unwrap(context, context.evalCode(GUEST_RUNTIME, "guest-runtime.js")),
  );
  const api = track(
    handles,
    unwrap(
      context,
      context.callFunction(
        install,
        context.undefined,
        hostFetch,
        hostLog,
        track(handles, context.newNumber(limits.maxLogLines)),
        track(handles, context.newNumber(limits.guestTextChars)),
      ),
    ),
  );
  return {
    compile: track(handles, context.getProp(api, "compile")),
    invoke: track(handles, context.getProp(api, "invoke")),
    serialize: track(handles, context.getProp(api, "serialize")),
    describe: track(handles, context.getProp(api, "describe")),
  };
}

/**
 * Returns a guest promise that the pool's answer settles; the request goes out as JSON text. A
 * call past the limit, or a request that screenRequest refuses, is settled here at once.
 */
function fetchBridge(context, run, request, limits) {
  const deferred = context.newPromise();
  const { errors } = limits;
  if (run.fetchesLeft <= 0) {
    settleDeferred(context, deferred, JSON.stringify({ error: errors.tooMany }));
    return deferred.handle;
  }
  run.fetchesLeft -= 1;
  const screened =
    context.typeof(request) === "string"
      ? screenRequest(context.getString(request), limits)
      : refusal(errors.unreadable);
  if (!screened.ok) {
    parentPort.postMessage({ type: "fetch-refused", id: run.id, ...screened.notice });
    settleDeferred(context, deferred, JSON.stringify({ error: screened.notice.error }));
    return deferred.handle;
  }
  const fetchId = run.nextFetchId;
  run.nextFetchId += 1;
  run.deferreds.set(fetchId, deferred);
  parentPort.postMessage({ type: "fetch", id: run.id, fetchId, request: screened.text });
  return deferred.handle;
}

/**
 * Bounds the guest's request before it is posted: the guest runtime builds it, but the code can
 * reshape what JSON.stringify produces (a toJSON on Object.prototype, say), so nothing about its
 * shape is assumed. Only sizes and types are checked here, roughly in the host's order; the host
 * checks the rest. What goes out is rebuilt from the known fields alone, so its size is bounded by
 * the limits: with the defaults, under 600 KiB even if every character needs a JSON escape.
 */
function screenRequest(text, limits) {
  const { errors } = limits;
  let raw;
  try {
    raw = JSON.parse(text);
  } catch {
    return refusal(errors.unreadable);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return refusal(errors.unreadable);
  }
  const { method, url, headers, body, redirect } = raw;
  const refuse = (error) =>
    refusal(
      error,
      typeof method === "string" ? method : "?",
      typeof url === "string" ? url : "",
      limits,
    );
  if (
    method !== undefined &&
    (typeof method !== "string" || method.length > limits.maxMethodChars)
  ) {
    return refuse(errors.method);
  }
  if (typeof url === "string" && url.length > limits.maxUrlChars) return refuse(errors.urlTooLong);
  if (typeof url !== "string") return refuse(errors.urlInvalid);
  let pairs = headers;
  if (headers !== undefined && headers !== null) {
    if (!Array.isArray(headers) || headers.length > limits.maxHeaders) {
      return refuse(errors.headers);
    }
    pairs = [];
    let chars = 0;
    for (const pair of headers) {
      if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        return refuse(errors.headerName);
      }
      chars += pair[0].length + pair[1].length;
      if (chars > limits.maxHeaderChars) return refuse(errors.headersTooLarge);
      pairs.push([pair[0], pair[1]]);
    }
  }
  if (body !== undefined && body !== null) {
    if (typeof body !== "string") return refuse(errors.body);
    if (Buffer.byteLength(body) > limits.maxRequestBodyBytes) return refuse(errors.bodyTooLarge);
  }
  if (redirect !== undefined && redirect !== null && !REDIRECTS.includes(redirect)) {
    return refuse(errors.redirect);
  }
  return {
    ok: true,
    text: JSON.stringify({ method, url, headers: pairs, body, redirect }),
  };
}

const REDIRECTS = ["follow", "manual", "error"];

/** The notice carries the start of the method and URL only; the host redacts them knowing that. */
function refusal(error, method = "?", url = "", limits = { maxMethodChars: 1, maxUrlChars: 0 }) {
  return {
    ok: false,
    notice: {
      method: method.slice(0, limits.maxMethodChars),
      methodCut: method.length > limits.maxMethodChars,
      url: url.slice(0, limits.maxUrlChars),
      urlCut: url.length > limits.maxUrlChars,
      error,
    },
  };
}

function deliverFetchResult(message) {
  const run = active;
  if (!run || message.id !== run.id) return;
  const deferred = run.deferreds.get(message.fetchId);
  if (!deferred) return;
  run.deferreds.delete(message.fetchId);
  settleDeferred(run.context, deferred, message.reply);
  run.wake?.();
}

function settleDeferred(context, deferred, text) {
  const value = context.newString(text);
  try {
    deferred.resolve(value);
  } catch {
    // Resolving failed inside QuickJS (out of memory); the fetch stays unanswered.
    deferred.dispose();
  } finally {
    value.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Handles.

function track(handles, handle) {
  handles.push(handle);
  return handle;
}

function unwrap(context, result) {
  if (!result.error) return result.value;
  const described = context.dump(result.error);
  result.error.dispose();
  throw new Error(`the guest runtime did not install: ${described?.message ?? described}`);
}

/** Calls a guest function with string or handle arguments; a string result comes back as text. */
function callForText(context, fn, args, handles) {
  const argumentHandles = args.map((arg) =>
    typeof arg === "string" ? track(handles, context.newString(arg)) : arg,
  );
  const result = context.callFunction(fn, context.undefined, ...argumentHandles);
  if (result.error) return { ok: false, error: result.error };
  const text = context.typeof(result.value) === "string" ? context.getString(result.value) : "";
  result.value.dispose();
  return { ok: true, text };
}

/** Disposes in order; false when QuickJS failed doing so and the module may be unsound. */
function disposeAll(lifetimes) {
  let sound = true;
  for (const lifetime of lifetimes) {
    try {
      if (lifetime?.alive) lifetime.dispose();
    } catch {
      sound = false;
    }
  }
  return sound;
}
