// The guest side of the sandbox: what authTestCode finds besides the language itself. This file
// runs inside QuickJS, never in Node. worker.mjs evaluates it once per run, before the code is
// compiled, and calls the function it evaluates to with the host bridges.
//
// Everything lives inside this one function, so the bridges (`hostFetch`, `hostLog`) and the
// intrinsics captured here are not reachable by name from the code: only the globals it installs
// are. Data crosses to the host as strings only (JSON or plain text). Text is cut here at
// `maxTextChars` only to bound the copy; the host redacts secrets first and then cuts to its own,
// smaller limits, and removes the start of a secret that this cut may leave at the end. Nothing
// else here cuts text that may hold a secret: a message that quotes a value quotes all of it.
(function install(hostFetch, hostLog, maxLogLines, maxTextChars) {
  // Captured before the code runs: it may replace the globals, not these.
  const AsyncFunction = (async () => {}).constructor;
  const stringify = JSON.stringify;
  const parseJson = JSON.parse;
  const ErrorClass = Error;
  const TypeErrorClass = TypeError;
  const objectKeys = Object.keys;
  const fromCharCode = String.fromCharCode;

  function cut(text, max) {
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  // ---------------------------------------------------------------------------------------------
  // console: lines go to the host, which redacts secrets and keeps the first few.

  let logLinesLeft = maxLogLines;

  function show(value) {
    if (typeof value === "string") return value;
    if (value instanceof ErrorClass) return `${value.name}: ${value.message}`;
    if (typeof value === "function") return `[Function ${value.name || "anonymous"}]`;
    if (typeof value === "bigint") return `${value}n`;
    if (value !== null && typeof value === "object") {
      try {
        const json = stringify(value);
        if (json !== undefined) return json;
      } catch {
        // Cyclic or BigInt-holding objects fall through to String().
      }
    }
    try {
      return String(value);
    } catch {
      return "[value]";
    }
  }

  function log(...values) {
    if (logLinesLeft <= 0) return;
    logLinesLeft -= 1;
    hostLog(cut(values.map(show).join(" "), maxTextChars));
  }

  globalThis.console = { log, info: log, warn: log, error: log, debug: log };

  // ---------------------------------------------------------------------------------------------
  // btoa / atob, as browsers define them: Latin-1 strings in, Latin-1 strings out.

  const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  function invalidCharacter(message) {
    const error = new ErrorClass(message);
    error.name = "InvalidCharacterError";
    return error;
  }

  globalThis.btoa = function btoa(data) {
    const text = String(data);
    let out = "";
    for (let index = 0; index < text.length; index += 3) {
      const a = text.charCodeAt(index);
      const b = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
      const c = index + 2 < text.length ? text.charCodeAt(index + 2) : 0;
      if (a > 255 || b > 255 || c > 255) {
        throw invalidCharacter("btoa: the string contains characters outside of Latin-1");
      }
      const triple = (a << 16) | (b << 8) | c;
      out += BASE64[(triple >> 18) & 63] + BASE64[(triple >> 12) & 63];
      out += index + 1 < text.length ? BASE64[(triple >> 6) & 63] : "=";
      out += index + 2 < text.length ? BASE64[triple & 63] : "=";
    }
    return out;
  };

  globalThis.atob = function atob(data) {
    let text = String(data).replace(/[\t\n\f\r ]/g, "");
    if (text.length % 4 === 0) text = text.replace(/={1,2}$/, "");
    if (text.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(text)) {
      throw invalidCharacter("atob: the string is not correctly encoded");
    }
    let out = "";
    let bits = 0;
    let count = 0;
    for (let index = 0; index < text.length; index += 1) {
      bits = (bits << 6) | BASE64.indexOf(text[index]);
      count += 6;
      if (count >= 8) {
        count -= 8;
        out += fromCharCode((bits >> count) & 255);
      }
    }
    return out;
  };

  // ---------------------------------------------------------------------------------------------
  // Percent-encoding and UTF-8, for URL and URLSearchParams.

  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

  function utf8Bytes(text) {
    const bytes = [];
    for (const char of text) {
      const point = char.codePointAt(0);
      if (point < 0x80) bytes.push(point);
      else if (point < 0x800) bytes.push(0xc0 | (point >> 6), 0x80 | (point & 63));
      else if (point < 0x10000 || (point >= 0xd800 && point <= 0xdfff)) {
        const safe = point >= 0xd800 && point <= 0xdfff ? 0xfffd : point;
        bytes.push(0xe0 | (safe >> 12), 0x80 | ((safe >> 6) & 63), 0x80 | (safe & 63));
      } else {
        bytes.push(
          0xf0 | (point >> 18),
          0x80 | ((point >> 12) & 63),
          0x80 | ((point >> 6) & 63),
          0x80 | (point & 63),
        );
      }
    }
    return bytes;
  }

  /** UTF-8 to a string; a malformed sequence becomes U+FFFD, as the URL standard asks. */
  function utf8Decode(bytes) {
    let out = "";
    let index = 0;
    while (index < bytes.length) {
      const first = bytes[index];
      const length =
        first < 0x80 ? 1 : first >> 5 === 6 ? 2 : first >> 4 === 14 ? 3 : first >> 3 === 30 ? 4 : 0;
      let point = length === 1 ? first : length === 0 ? -1 : first & (0xff >> (length + 1));
      for (let next = 1; next < length && point >= 0; next += 1) {
        const byte = bytes[index + next];
        point = byte !== undefined && byte >> 6 === 2 ? (point << 6) | (byte & 63) : -1;
      }
      const overlong =
        (length === 2 && point < 0x80) ||
        (length === 3 && point < 0x800) ||
        (length === 4 && point < 0x10000);
      if (point < 0 || overlong || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) {
        out += "\uFFFD";
        index += 1;
      } else {
        out += String.fromCodePoint(point);
        index += length;
      }
    }
    return out;
  }

  function percentDecode(text) {
    if (!text.includes("%")) return text;
    try {
      return decodeURIComponent(text);
    } catch {
      // Malformed escapes stay as they are; malformed UTF-8 becomes U+FFFD.
    }
    const bytes = [];
    for (let index = 0; index < text.length; index += 1) {
      const pair = text.slice(index + 1, index + 3);
      if (text[index] === "%" && /^[0-9A-Fa-f]{2}$/.test(pair)) {
        bytes.push(parseInt(pair, 16));
        index += 2;
      } else {
        const point = text.codePointAt(index);
        const char = String.fromCodePoint(point);
        for (const byte of utf8Bytes(char)) bytes.push(byte);
        index += char.length - 1;
      }
    }
    return utf8Decode(bytes);
  }

  /** Encodes the characters `mustEncode` matches (ASCII) and everything outside ASCII. */
  function percentEncode(text, mustEncode) {
    let out = "";
    for (const char of text) {
      const point = char.codePointAt(0);
      if (point > 0x20 && point < 0x7f && !mustEncode.test(char)) out += char;
      else {
        for (const byte of utf8Bytes(char)) {
          out += `%${byte < 16 ? "0" : ""}${byte.toString(16).toUpperCase()}`;
        }
      }
    }
    return out;
  }

  /** application/x-www-form-urlencoded: space as +, only *-._ and alphanumerics left bare. */
  function formEncode(text) {
    return encodeURIComponent(String(text).replace(LONE_SURROGATE, "\uFFFD"))
      .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, "+");
  }

  // ---------------------------------------------------------------------------------------------
  // URLSearchParams

  class URLSearchParams {
    #list = [];
    #onChange = undefined;

    constructor(init = "") {
      if (init instanceof URLSearchParams) {
        this.#list = init.#list.map(([name, value]) => [name, value]);
      } else if (init !== null && typeof init === "object") {
        const pairs = typeof init[Symbol.iterator] === "function" ? Array.from(init) : undefined;
        if (pairs) {
          for (const pair of pairs) {
            const entry = Array.from(pair);
            if (entry.length !== 2) {
              throw new TypeErrorClass("URLSearchParams: each pair must have exactly two items");
            }
            this.#list.push([String(entry[0]), String(entry[1])]);
          }
        } else {
          for (const name of objectKeys(init)) this.#list.push([name, String(init[name])]);
        }
      } else {
        this.#list = parseQuery(String(init));
      }
    }

    static attach(params, onChange) {
      params.#onChange = onChange;
    }

    static replace(params, query) {
      params.#list = parseQuery(query);
    }

    #changed() {
      if (this.#onChange) this.#onChange(this.toString());
    }

    get size() {
      return this.#list.length;
    }
    append(name, value) {
      this.#list.push([String(name), String(value)]);
      this.#changed();
    }
    delete(name, value) {
      const key = String(name);
      this.#list = this.#list.filter(
        ([n, v]) => n !== key || (value !== undefined && v !== String(value)),
      );
      this.#changed();
    }
    get(name) {
      const key = String(name);
      const found = this.#list.find(([n]) => n === key);
      return found ? found[1] : null;
    }
    getAll(name) {
      const key = String(name);
      return this.#list.filter(([n]) => n === key).map(([, v]) => v);
    }
    has(name, value) {
      const key = String(name);
      return this.#list.some(([n, v]) => n === key && (value === undefined || v === String(value)));
    }
    set(name, value) {
      const key = String(name);
      const index = this.#list.findIndex(([n]) => n === key);
      if (index < 0) this.#list.push([key, String(value)]);
      else {
        this.#list[index] = [key, String(value)];
        this.#list = this.#list.filter(([n], at) => n !== key || at === index);
      }
      this.#changed();
    }
    sort() {
      this.#list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      this.#changed();
    }
    forEach(callback, thisArg) {
      for (const [name, value] of this.#list) callback.call(thisArg, value, name, this);
    }
    *entries() {
      for (const [name, value] of this.#list) yield [name, value];
    }
    *keys() {
      for (const [name] of this.#list) yield name;
    }
    *values() {
      for (const [, value] of this.#list) yield value;
    }
    [Symbol.iterator]() {
      return this.entries();
    }
    toString() {
      return this.#list
        .map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`)
        .join("&");
    }
  }

  function parseQuery(query) {
    const text = query.startsWith("?") ? query.slice(1) : query;
    const list = [];
    for (const part of text.split("&")) {
      if (part === "") continue;
      const at = part.indexOf("=");
      const name = at < 0 ? part : part.slice(0, at);
      const value = at < 0 ? "" : part.slice(at + 1);
      list.push([
        percentDecode(name.replace(/\+/g, " ")),
        percentDecode(value.replace(/\+/g, " ")),
      ]);
    }
    return list;
  }

  globalThis.URLSearchParams = URLSearchParams;

  // ---------------------------------------------------------------------------------------------
  // URL: the WHATWG parser's common paths (special schemes, relative references, dot segments,
  // percent-encoding). The host parses every fetch URL again with Node's own URL before checking
  // where it points, so a difference here can only surprise the code, never widen its reach.

  const DEFAULT_PORTS = new Map([
    ["http:", "80"],
    ["https:", "443"],
    ["ws:", "80"],
    ["wss:", "443"],
    ["ftp:", "21"],
    ["file:", ""],
  ]);
  const FORBIDDEN_HOST = /[\0\t\n\r #/:<>?@[\\\]^|%]/;
  const PATH_ENCODE = /[ "#<>?`{}]/;
  const QUERY_ENCODE = /[ "#<>]/;
  const SPECIAL_QUERY_ENCODE = /[ "#<>']/;
  const FRAGMENT_ENCODE = /[ "<>`]/;
  // percentEncode always encodes controls, space and non-ASCII; this adds nothing to them.
  const CONTROLS_ONLY = /(?!)/;
  const USERINFO_ENCODE = /[ "#<>?`{}/:;=@[\\\]^|]/;

  function invalidUrl() {
    return new TypeErrorClass("Invalid URL");
  }

  function isSpecial(protocol) {
    return DEFAULT_PORTS.has(protocol);
  }

  /** Splits off ?query and #fragment; returns [before, query or null, fragment or null]. */
  function splitTail(text) {
    let rest = text;
    let fragment = null;
    let query = null;
    const hash = rest.indexOf("#");
    if (hash >= 0) {
      fragment = rest.slice(hash + 1);
      rest = rest.slice(0, hash);
    }
    const question = rest.indexOf("?");
    if (question >= 0) {
      query = rest.slice(question + 1);
      rest = rest.slice(0, question);
    }
    return [rest, query, fragment];
  }

  function normalizePath(segments, special) {
    const out = [];
    for (let index = 0; index < segments.length; index += 1) {
      const segment = segments[index];
      const last = index === segments.length - 1;
      const lower = segment.toLowerCase();
      if (lower === ".." || lower === ".%2e" || lower === "%2e." || lower === "%2e%2e") {
        if (out.length > 0) out.pop();
        if (last) out.push("");
      } else if (lower === "." || lower === "%2e") {
        if (last) out.push("");
      } else {
        out.push(percentEncode(segment, PATH_ENCODE));
      }
    }
    if (out.length === 0 && special) out.push("");
    return out;
  }

  function parseHost(text, special) {
    if (text.startsWith("[")) {
      if (!text.endsWith("]") || !/^\[[0-9A-Fa-f:.]+\]$/.test(text)) throw invalidUrl();
      return text.toLowerCase();
    }
    if (!special) {
      if (/[\0\t\n\r #/<>?@[\\\]^|]/.test(text)) throw invalidUrl();
      return percentEncode(text, CONTROLS_ONLY);
    }
    const host = percentDecode(text).toLowerCase();
    if (host === "" || FORBIDDEN_HOST.test(host)) throw invalidUrl();
    return host;
  }

  function parseAuthority(url, authority) {
    const special = isSpecial(url.protocol);
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(":");
      url.username = percentEncode(
        colon < 0 ? userinfo : userinfo.slice(0, colon),
        USERINFO_ENCODE,
      );
      url.password = colon < 0 ? "" : percentEncode(userinfo.slice(colon + 1), USERINFO_ENCODE);
    }
    const hostPort = authority.slice(at + 1);
    const portMatch = /:([^:\]]*)$/.exec(hostPort);
    const hostText = portMatch ? hostPort.slice(0, portMatch.index) : hostPort;
    if (portMatch && portMatch[1] !== "") {
      if (!/^\d+$/.test(portMatch[1]) || Number(portMatch[1]) > 65535) throw invalidUrl();
      const port = String(Number(portMatch[1]));
      url.port = port === DEFAULT_PORTS.get(url.protocol) ? "" : port;
    }
    if (hostText === "" && special && url.protocol !== "file:") throw invalidUrl();
    url.hostname = hostText === "" ? "" : parseHost(hostText, special);
  }

  function parseUrl(rawInput, base) {
    const input = String(rawInput)
      .replace(/^[\0-\x20]+|[\0-\x20]+$/g, "")
      .replace(/[\t\n\r]/g, "");
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(input);
    const url = {
      protocol: "",
      username: "",
      password: "",
      hostname: "",
      port: "",
      path: [],
      opaque: null,
      query: null,
      fragment: null,
    };
    let rest;
    if (scheme) {
      url.protocol = `${scheme[1].toLowerCase()}:`;
      rest = input.slice(scheme[0].length);
      const special = isSpecial(url.protocol);
      if (special) rest = rest.replace(/\\/g, "/");
      const relativeToBase =
        special && base && base.protocol === url.protocol && !rest.startsWith("/");
      if (relativeToBase) return resolveRelative(rest, base);
      if (special || rest.startsWith("//")) {
        const afterSlashes = special ? rest.replace(/^\/*/, "") : rest.slice(2);
        const [beforeTail, query, fragment] = splitTail(afterSlashes);
        const slash = beforeTail.indexOf("/");
        parseAuthority(url, slash < 0 ? beforeTail : beforeTail.slice(0, slash));
        url.path = normalizePath(slash < 0 ? [] : beforeTail.slice(slash + 1).split("/"), special);
        setTail(url, query, fragment);
        return url;
      }
      const [opaque, query, fragment] = splitTail(rest);
      if (opaque.startsWith("/")) url.path = normalizePath(opaque.slice(1).split("/"), false);
      else url.opaque = percentEncode(opaque, CONTROLS_ONLY);
      setTail(url, query, fragment);
      return url;
    }
    if (!base) throw invalidUrl();
    return resolveRelative(isSpecial(base.protocol) ? input.replace(/\\/g, "/") : input, base);
  }

  function setTail(url, query, fragment) {
    const queryEncode = isSpecial(url.protocol) ? SPECIAL_QUERY_ENCODE : QUERY_ENCODE;
    url.query = query === null ? null : percentEncode(query, queryEncode);
    url.fragment = fragment === null ? null : percentEncode(fragment, FRAGMENT_ENCODE);
  }

  function resolveRelative(input, base) {
    const special = isSpecial(base.protocol);
    const url = { ...base, path: base.path.slice(), fragment: null };
    if (base.opaque !== null) {
      if (!input.startsWith("#")) throw invalidUrl();
      url.fragment = percentEncode(input.slice(1), FRAGMENT_ENCODE);
      return url;
    }
    if (input.startsWith("//")) return parseUrl(`${base.protocol}${input}`, undefined);
    const [pathPart, query, fragment] = splitTail(input);
    if (pathPart.startsWith("/")) {
      url.path = normalizePath(pathPart.slice(1).split("/"), special);
    } else if (pathPart !== "") {
      url.path = normalizePath([...base.path.slice(0, -1), ...pathPart.split("/")], special);
    }
    // "" and "#x" keep the base's query; a new path or "?" replaces it.
    const keepsQuery = pathPart === "" && query === null;
    setTail(url, keepsQuery ? null : query, fragment);
    if (keepsQuery) url.query = base.query;
    return url;
  }

  class URL {
    #url;
    #params;

    constructor(input, base) {
      const baseRecord = base === undefined ? undefined : new URL(base).#url;
      this.#url = parseUrl(input instanceof URL ? input.href : input, baseRecord);
      this.#params = new URLSearchParams(this.#url.query ?? "");
      URLSearchParams.attach(this.#params, (query) => {
        this.#url.query = query === "" ? null : query;
      });
    }

    static canParse(input, base) {
      try {
        new URL(input, base);
        return true;
      } catch {
        return false;
      }
    }

    get href() {
      const url = this.#url;
      let out = url.protocol;
      if (url.opaque !== null) out += url.opaque;
      else {
        if (url.hostname !== "" || isSpecial(url.protocol)) {
          out += "//";
          if (url.username || url.password) {
            out += `${url.username}${url.password ? `:${url.password}` : ""}@`;
          }
          out += this.host;
        }
        out += this.pathname;
      }
      return out + this.search + this.hash;
    }
    set href(value) {
      this.#url = parseUrl(value, undefined);
      URLSearchParams.replace(this.#params, this.#url.query ?? "");
    }
    get origin() {
      const url = this.#url;
      if (!isSpecial(url.protocol) || url.protocol === "file:") return "null";
      return `${url.protocol}//${this.host}`;
    }
    get protocol() {
      return this.#url.protocol;
    }
    get username() {
      return this.#url.username;
    }
    get password() {
      return this.#url.password;
    }
    get host() {
      return this.#url.port === "" ? this.#url.hostname : `${this.#url.hostname}:${this.#url.port}`;
    }
    get hostname() {
      return this.#url.hostname;
    }
    get port() {
      return this.#url.port;
    }
    get pathname() {
      const url = this.#url;
      return url.opaque !== null ? url.opaque : url.path.map((segment) => `/${segment}`).join("");
    }
    set pathname(value) {
      if (this.#url.opaque !== null) return;
      const special = isSpecial(this.#url.protocol);
      let text = String(value);
      if (special) text = text.replace(/\\/g, "/");
      this.#url.path = normalizePath(
        (text.startsWith("/") ? text.slice(1) : text).split("/"),
        special,
      );
    }
    get search() {
      const query = this.#url.query;
      return query === null || query === "" ? "" : `?${query}`;
    }
    set search(value) {
      const text = String(value);
      const query = text.startsWith("?") ? text.slice(1) : text;
      setTail(this.#url, query === "" ? null : query, this.#url.fragment);
      URLSearchParams.replace(this.#params, this.#url.query ?? "");
    }
    get searchParams() {
      return this.#params;
    }
    get hash() {
      const fragment = this.#url.fragment;
      return fragment === null || fragment === "" ? "" : `#${fragment}`;
    }
    set hash(value) {
      const text = String(value);
      const fragment = text.startsWith("#") ? text.slice(1) : text;
      this.#url.fragment = fragment === "" ? null : percentEncode(fragment, FRAGMENT_ENCODE);
    }
    toString() {
      return this.href;
    }
    toJSON() {
      return this.href;
    }
  }

  globalThis.URL = URL;

  // ---------------------------------------------------------------------------------------------
  // Headers, Response and fetch. The host does the request: it checks every address, follows up
  // to a few redirects and caps the body; here a request is put into plain JSON and the answer
  // back into a Response-like object.

  class Headers {
    #list = [];

    constructor(init) {
      if (init === undefined || init === null) return;
      if (init instanceof Headers) {
        this.#list = init.#list.map(([name, value]) => [name, value]);
      } else if (typeof init === "object" && typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const entry = Array.from(pair);
          if (entry.length !== 2)
            throw new TypeErrorClass("Headers: each pair must have exactly two items");
          this.append(entry[0], entry[1]);
        }
      } else if (typeof init === "object") {
        for (const name of objectKeys(init)) this.append(name, init[name]);
      } else {
        throw new TypeErrorClass("Headers: expected an object or a list of pairs");
      }
    }

    append(name, value) {
      this.#list.push([headerName(name), headerValue(value)]);
    }
    delete(name) {
      const key = headerName(name);
      this.#list = this.#list.filter(([n]) => n !== key);
    }
    get(name) {
      const key = headerName(name);
      const values = this.#list.filter(([n]) => n === key).map(([, v]) => v);
      return values.length === 0 ? null : values.join(", ");
    }
    has(name) {
      const key = headerName(name);
      return this.#list.some(([n]) => n === key);
    }
    set(name, value) {
      this.delete(name);
      this.append(name, value);
    }
    forEach(callback, thisArg) {
      for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
    }
    *entries() {
      const names = [...new Set(this.#list.map(([name]) => name))].sort();
      for (const name of names) yield [name, this.get(name)];
    }
    *keys() {
      for (const [name] of this.entries()) yield name;
    }
    *values() {
      for (const [, value] of this.entries()) yield value;
    }
    [Symbol.iterator]() {
      return this.entries();
    }
  }

  function headerName(name) {
    const text = String(name);
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(text)) {
      throw new TypeErrorClass(`Headers: "${text}" is not a valid header name`);
    }
    return text.toLowerCase();
  }

  function headerValue(value) {
    const text = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
    if (/[\0\n\r]/.test(text)) throw new TypeErrorClass("Headers: a header value has a line break");
    return text;
  }

  globalThis.Headers = Headers;

  class Response {
    #body;
    #used = false;

    constructor(answer) {
      this.status = answer.status;
      this.statusText = answer.statusText;
      this.ok = answer.status >= 200 && answer.status < 300;
      this.url = answer.url;
      this.redirected = answer.redirected;
      this.headers = new Headers(answer.headers);
      this.#body = answer.body;
    }

    get bodyUsed() {
      return this.#used;
    }
    async text() {
      if (this.#used) throw new TypeErrorClass("Body is unusable: Body has already been read");
      this.#used = true;
      return this.#body;
    }
    async json() {
      return parseJson(await this.text());
    }
  }

  const METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

  function toRequest(input, init) {
    const options = init === undefined || init === null ? {} : init;
    const url = input instanceof URL ? input.href : String(input);
    let method = options.method === undefined ? "GET" : String(options.method);
    if (METHODS.includes(method.toUpperCase())) method = method.toUpperCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method) || /^(CONNECT|TRACE|TRACK)$/i.test(method)) {
      throw new TypeErrorClass(`fetch: "${method}" is not an allowed method`);
    }
    const headers = new Headers(options.headers);
    let body = null;
    if (options.body !== undefined && options.body !== null) {
      if (method === "GET" || method === "HEAD") {
        throw new TypeErrorClass("fetch: a GET or HEAD request cannot have a body");
      }
      if (typeof options.body === "string") body = options.body;
      else if (options.body instanceof URLSearchParams) {
        body = options.body.toString();
        if (!headers.has("content-type")) {
          headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
        }
      } else {
        throw new TypeErrorClass(
          "fetch: the body must be a string or URLSearchParams (use JSON.stringify for objects)",
        );
      }
      if (!headers.has("content-type") && typeof options.body === "string") {
        headers.set("content-type", "text/plain;charset=UTF-8");
      }
    }
    const redirect = options.redirect === undefined ? "follow" : String(options.redirect);
    if (redirect !== "follow" && redirect !== "manual" && redirect !== "error") {
      throw new TypeErrorClass(`fetch: redirect must be "follow", "manual" or "error"`);
    }
    return { method, url, headers: [...headers], body, redirect };
  }

  async function fetch(input, init) {
    const request = toRequest(input, init);
    const reply = parseJson(await hostFetch(stringify(request)));
    if (reply.error !== undefined) throw new TypeErrorClass(`fetch failed: ${reply.error}`);
    return new Response(reply.response);
  }

  // ---------------------------------------------------------------------------------------------
  // What the host calls: compile the code, start it, and turn its result or error into text.

  let compiled;

  /** "" when the body compiles; otherwise "name\nmessage". */
  function compile(code) {
    try {
      compiled = new AsyncFunction("secrets", "fetch", code);
      return "";
    } catch (error) {
      return describeError(error);
    }
  }

  function invoke(secretsJson) {
    return compiled(parseJson(secretsJson), fetch);
  }

  /** The returned value as JSON text; undefined (no return, a function) counts as null. */
  function serialize(value) {
    const json = stringify(value);
    return json === undefined ? "null" : json;
  }

  /** "name\nmessage", each bounded; a thrown non-Error shows as its value. */
  function describeError(error) {
    let name = "Error";
    let message;
    if (error !== null && (typeof error === "object" || typeof error === "function")) {
      try {
        if (typeof error.name === "string" && error.name !== "") name = error.name;
        message = typeof error.message === "string" ? error.message : show(error);
      } catch {
        message = "the thrown value could not be read";
      }
    } else {
      message = show(error);
    }
    return `${cut(name.replace(/\s+/g, " "), maxTextChars)}\n${cut(message, maxTextChars)}`;
  }

  return { compile, invoke, serialize, describe: describeError };
});
