// The one way pages talk to the REST API: JSON in and out, the session cookie, and the CSRF header.
const CSRF_KEY = "sw_csrf";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `Request failed (${status})`);
    this.status = status;
    this.code = error.code || "error";
    this.fields = error.fields || {};
    this.body = body;
  }
}

export function rememberCsrf(token) {
  if (token) localStorage.setItem(CSRF_KEY, token); else localStorage.removeItem(CSRF_KEY);
}

// A FormData body goes out as multipart (the browser writes its Content-Type with the boundary);
// `cache: "no-store"` skips the browser's copy of a public catalog answer (e.g. right after an edit).
export async function api(path, { method = "GET", body, headers = {}, cache } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (cache) init.cache = cache;
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const csrf = localStorage.getItem(CSRF_KEY);
  if (csrf && method !== "GET") init.headers["X-CSRF-Token"] = csrf;
  const response = await fetch(`/api/v1${path}`, init);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// The first answer a page for logged-in users needs (a request's promise): on 401 the visitor logs in and
// comes back to this page; another failure is said in the page's status line. The answer, or null without one.
export async function loadOrLogIn(request, status, what) {
  try {
    return await request;
  } catch (err) {
    if (err.status === 401) location.assign(`/login?next=${location.pathname}`);
    else status.textContent = `Could not load ${what}: ${err.message}`;
    return null;
  }
}

export function money(amount, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "USD" }).format(Number(amount));
}

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
