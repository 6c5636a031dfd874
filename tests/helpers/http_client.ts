/** A fetch wrapper that keeps the session cookie like a browser would, for HTTP tests. */

export interface RequestOptions {
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export class HttpClient {
  cookie: string | undefined;

  constructor(readonly base: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers = new Headers(options.headers);
    if (this.cookie && !headers.has("Cookie")) headers.set("Cookie", this.cookie);
    let body = options.body;
    if (options.json !== undefined) {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(options.json);
    }
    const response = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    const setCookie = response.headers.get("Set-Cookie");
    if (setCookie) {
      const pair = setCookie.split(";")[0];
      this.cookie = pair.endsWith("=") ? undefined : pair;
    }
    return response;
  }

  /** The response's JSON body (the response is consumed). */
  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await this.request(method, path, options);
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : null) as T,
      headers: response.headers,
    };
  }
}
