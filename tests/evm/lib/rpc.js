'use strict';
// JSON-RPC 2.0 over Node's built-in fetch: single calls and batches. Errors name the method.

class RpcError extends Error {
  constructor(method, error) {
    super(`${method}: JSON-RPC error ${error.code}: ${error.message}${error.data ? ' ' + JSON.stringify(error.data) : ''}`);
    this.method = method;
    this.code = error.code;
    this.data = error.data;
  }
}

class Rpc {
  constructor(url, { timeoutMs = 120000 } = {}) {
    this.url = url;
    this.timeoutMs = timeoutMs;
    this.nextId = 1;
  }

  async post(body) {
    let res;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const what = Array.isArray(body) ? `batch of ${body.length} (${body[0] && body[0].method}…)` : body.method;
      throw new Error(`${what}: cannot reach ${this.url}: ${e.cause ? e.cause.message : e.message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`${this.url}: response is not JSON: ${text.slice(0, 300)}`);
    }
  }

  /// One call; returns `result` or throws RpcError.
  async call(method, params = []) {
    const reply = await this.post({ jsonrpc: '2.0', id: this.nextId++, method, params });
    if (reply.error) throw new RpcError(method, reply.error);
    return reply.result;
  }

  /// One batch request of [[method, params], …]; returns the results in order or throws on the
  /// first error. `chunk` splits very large batches into several HTTP requests (sequentially).
  async batch(calls, { chunk = 2000 } = {}) {
    const results = new Array(calls.length);
    for (let start = 0; start < calls.length; start += chunk) {
      const part = calls.slice(start, start + chunk);
      const base = this.nextId;
      this.nextId += part.length;
      const reply = await this.post(part.map(([method, params], i) => ({ jsonrpc: '2.0', id: base + i, method, params: params || [] })));
      if (!Array.isArray(reply)) {
        if (reply && reply.error) throw new RpcError(`batch (${part[0][0]}…)`, reply.error);
        throw new Error(`batch: expected an array reply, got ${JSON.stringify(reply).slice(0, 200)}`);
      }
      for (const r of reply) {
        const i = r.id - base;
        if (!(i >= 0 && i < part.length)) throw new Error(`batch: reply with unknown id ${r.id}`);
        if (r.error) throw new RpcError(`${part[i][0]} (batch item ${start + i})`, r.error);
        results[start + i] = r.result;
      }
      for (let i = 0; i < part.length; i++) {
        if (!(start + i in results)) throw new Error(`batch: no reply for item ${start + i} (${part[i][0]})`);
      }
    }
    return results;
  }
}

module.exports = { Rpc, RpcError };
