import "server-only";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Refuses bodies over `maxBytes` with `tooLarge`. A declared Content-Length is judged without
 * touching the body, so @hono/node-server can drain it and keep the connection (reading it
 * through Hono's bodyLimit builds a web stream, whose cancellation drops the socket mid-upload,
 * and costs about 130 µs of CPU per request). Chunked bodies are counted as they arrive.
 */
export function limitBodySize(
  maxBytes: number,
  tooLarge: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  const limitStreamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const declared = c.req.header("content-length");
    if (declared === undefined || c.req.header("transfer-encoding") !== undefined) {
      return limitStreamed(c, next);
    }
    return Number(declared) > maxBytes ? tooLarge(c) : next();
  };
}
