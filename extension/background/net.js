// Requests to the Parallax server. Every request has a timeout so that a slow or absent server
// ends in one quiet error state instead of a page waiting forever.

export const INDEX_TIMEOUT_MS = 10000;
export const LOOKUP_TIMEOUT_MS = 5000;

/** Raised for any failed request; `status` is the HTTP status, 0 for network errors and timeouts. */
export class ServerError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

/** Fetch with a timeout; credentials are never sent (the server needs no cookies from the user). */
export async function fetchWithTimeout(url, options = {}, timeoutMs = LOOKUP_TIMEOUT_MS) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await fetch(url, { credentials: 'omit', cache: 'no-store', ...options, signal: controller.signal });
  } catch (error) {
    const timedOut = error?.name === 'AbortError';
    throw new ServerError(timedOut ? 'The Parallax server did not answer in time.' : 'The Parallax server cannot be reached.');
  } finally {
    clearTimeout(timer);
  }
}

/** Return the `detail` (or `title`) of a problem+json answer, else a generic sentence. */
export async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `The server answered ${response.status}.`;
  } catch {
    return `The server answered ${response.status}.`;
  }
}
