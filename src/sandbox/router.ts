/**
 * A tiny method + path-pattern router for the sandbox API (`/accounts/:account/...`).
 */
import type { Envelope } from "./shapes.js";

/** What an API handler gets. */
export interface ApiCall {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body, if the request had one. */
  readonly json: unknown;
  /** The request with its body still unread (multipart uploads read it as a form). */
  readonly request: Request;
  /** Replaces what the request log shows as the body (e.g. an upload summary). */
  recordBody(body: unknown): void;
}

export interface ApiReply {
  readonly status: number;
  readonly body: Envelope;
}

export type ApiHandler = (call: ApiCall) => ApiReply | Promise<ApiReply>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handler: ApiHandler;
}

/** Matches API paths against `/segments/:param` patterns. */
export class Router {
  readonly #routes: Route[] = [];

  /** Registers `handler` for `method` and a pattern such as `/accounts/:account/workers/scripts/:script`. */
  on(method: string, pattern: string, handler: ApiHandler): this {
    const names: string[] = [];
    const source = pattern
      .split("/")
      .map((segment) => {
        if (!segment.startsWith(":")) return escapeRegExp(segment);
        names.push(segment.slice(1));
        return "([^/]+)";
      })
      .join("/");
    this.#routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  /** The handler and decoded params for a request, or undefined when no route matches. */
  match(method: string, path: string): { handler: ApiHandler; params: Record<string, string> } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1] ?? "");
      });
      return { handler: route.handler, params };
    }
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
