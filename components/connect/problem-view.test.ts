import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ProblemView } from "./problem-view";

/**
 * The problem pages as the server renders them, each problem with its own words;
 * e2e/connect-expired.spec.ts shows the expired page in a browser, and connect-sessions.test.ts
 * checks that an expired link is reported as "expired".
 */
describe("the connect link problem pages", () => {
  const render = (props: Parameters<typeof ProblemView>[0]) =>
    renderToStaticMarkup(createElement(ProblemView, props));

  it("explains an expired link, says what to do, and links back with error=expired", () => {
    const html = render({
      problem: { link: "expired" },
      returnTo: "https://app.example.com/done?error=expired",
    });
    expect(html).toContain("This link has expired");
    expect(html).toContain("Connect links work for 10 minutes");
    expect(html).toContain("Ask the app that sent you this link for a new one.");
    expect(html).toContain('href="https://app.example.com/done?error=expired"');
  });

  it("has a title for every problem, and no way back when the return URL is unknown", () => {
    for (const link of ["invalid", "expired", "spent", "auth_changed"] as const) {
      const html = render({ problem: { link }, returnTo: null });
      expect(html).toMatch(/<h1[^>]*>[^<]+<\/h1>/);
      expect(html).not.toContain("Back to the app");
    }
    for (const callback of [
      "invalid_state",
      "expired_state",
      "used_state",
      "wrong_browser",
      "auth_changed",
      "link_spent",
      "denied",
      "exchange_failed",
    ] as const) {
      expect(render({ problem: { callback }, returnTo: null })).toMatch(/<h1[^>]*>[^<]+<\/h1>/);
    }
  });
});
