/*
 * How the bureau's pages (the dashboard, the policy years) call /graphql: one operation of
 * schema/operations/ by name, with the user's own token and county, asking for Chinese. A failure is an
 * ApiError with the contract's code (extensions.code), or NETWORK / HTTP_<status> when no GraphQL answer
 * came, and its message in Chinese.
 */
'use strict';

window.BureauApi = (function bureauApi() {
  class ApiError extends Error {
    constructor(code, message, details) {
      super(message);
      this.code = code;
      this.details = details || {};
    }
  }

  /** `query` is the operation's text, `auth` { token, tenant } or null for public operations. */
  async function call(query, operationName, variables, auth) {
    const headers = { 'content-type': 'application/json', accept: 'application/json', 'accept-language': 'zh-CN' };
    if (auth) {
      headers.authorization = `Bearer ${auth.token}`;
      headers['x-tenant-id'] = auth.tenant;
    }
    let response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers,
        credentials: 'omit',
        cache: 'no-store',
        body: JSON.stringify({ query, operationName, variables }),
      });
    } catch (err) {
      throw new ApiError('NETWORK', `无法连接服务器：${err.message}`);
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`HTTP_${response.status}`, `服务器返回了 HTTP ${response.status}，不是 GraphQL 的答复`);
    }
    if (body.errors && body.errors.length > 0) {
      const first = body.errors[0];
      throw new ApiError((first.extensions && first.extensions.code) || 'ERROR', first.message, first.extensions);
    }
    if (!response.ok || !body.data) throw new ApiError(`HTTP_${response.status}`, `服务器返回了 HTTP ${response.status}`);
    return body.data;
  }

  return { ApiError, call };
})();
