// The API client: same-origin fetches carrying the session cookie.

/** ApiError is an error answered by the API, with its code and status. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * api calls the HTTP API. body, when given, is sent as JSON unless it is a
 * string (sent as text, e.g. a PAXLST message) or a file (sent as it is). It resolves to the decoded
 * JSON and rejects with an ApiError.
 */
export async function api(method, path, body) {
  const opts = {method, credentials: 'same-origin', headers: {Accept: 'application/json'}};
  if (body !== undefined) {
    if (body instanceof Blob) {
      opts.body = body; // a file the user picked, streamed as it is
      opts.headers['Content-Type'] = body.type || 'text/csv';
    } else if (typeof body === 'string') {
      opts.body = body;
      opts.headers['Content-Type'] = 'text/plain';
    } else {
      opts.body = JSON.stringify(body);
      opts.headers['Content-Type'] = 'application/json';
    }
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection and try again.');
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {code: String(res.status), message: res.statusText};
    if (res.status === 401) window.dispatchEvent(new CustomEvent('tripline:unauthorized'));
    throw new ApiError(res.status, err.code, err.message || `HTTP ${res.status}`);
  }
  return data;
}

/** q builds a query string from defined, non-empty values. */
export function q(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}
