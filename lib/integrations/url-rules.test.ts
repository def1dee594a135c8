import { describe, expect, it } from "vitest";
import { checkHttpUrl, parseHttpUrl } from "./url-rules";

describe("checkHttpUrl", () => {
  it("takes https, and plain http only when allowed", () => {
    expect(parseHttpUrl("https://auth.example.com/authorize", { allowHttp: false })?.host).toBe(
      "auth.example.com",
    );
    expect(checkHttpUrl("http://127.0.0.1:8080/", { allowHttp: false })).toEqual({
      ok: false,
      problem: "not_https",
    });
    expect(parseHttpUrl("http://127.0.0.1:8080/", { allowHttp: true })?.port).toBe("8080");
    expect(checkHttpUrl("javascript:alert(1)", { allowHttp: true })).toEqual({
      ok: false,
      problem: "not_https",
    });
  });

  it("refuses relative URLs and credentials, and leaves fragments and queries to its callers", () => {
    expect(checkHttpUrl("/connected", { allowHttp: true })).toEqual({
      ok: false,
      problem: "not_absolute",
    });
    expect(checkHttpUrl("https://ada:secret@app.example.com/", { allowHttp: true })).toEqual({
      ok: false,
      problem: "credentials",
    });
    expect(parseHttpUrl("https://app.example.com/done?x=1#top", { allowHttp: false })?.hash).toBe(
      "#top",
    );
  });
});
