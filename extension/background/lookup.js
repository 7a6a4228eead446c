// Lookups of one article: GET /api/v1/lookup, cached per URL for a short time in memory and in
// storage.session (which survives the worker being stopped but never touches the disk), so that
// going back to a page or reopening the popup costs no request.

import { LOOKUP_TIMEOUT_MS, ServerError, fetchWithTimeout, problemText } from './net.js';

export const CACHE_TTL_MS = 10 * 60 * 1000;
const CACHE_MAX = 200;
const memory = new Map();

function cacheKey(server, url, title) {
  return `lookup:${server}|${url}|${title ?? ''}`;
}

async function readCache(storage, key) {
  let entry = memory.get(key);
  if (!entry && storage.session) {
    entry = (await storage.session.get(key))[key];
    if (entry) memory.set(key, entry);
  }
  if (entry && Date.now() - entry.at < CACHE_TTL_MS) return entry.answer;
  return null;
}

async function writeCache(storage, key, answer) {
  const entry = { at: Date.now(), answer };
  memory.set(key, entry);
  if (memory.size > CACHE_MAX) memory.delete(memory.keys().next().value);
  try {
    await storage.session?.set({ [key]: entry });
  } catch {
    // storage.session is full (about 10 MB): the memory cache still works.
  }
}

/** Return the server's lookup answer for a URL (and headline), from the cache when fresh. */
export async function lookup(storage, server, url, title) {
  const key = cacheKey(server, url, title);
  const cached = await readCache(storage, key);
  if (cached) return cached;
  const query = new URLSearchParams({ url });
  if (title) query.set('title', title.slice(0, 300));
  const response = await fetchWithTimeout(`${server}/api/v1/lookup?${query}`, {}, LOOKUP_TIMEOUT_MS);
  if (!response.ok) throw new ServerError(await problemText(response), response.status);
  const answer = await response.json();
  await writeCache(storage, key, answer);
  return answer;
}

/** Forget every cached answer (the server URL changed). */
export async function clearLookups(storage) {
  memory.clear();
  const all = (await storage.session?.get(null)) ?? {};
  const keys = Object.keys(all).filter((key) => key.startsWith('lookup:'));
  if (keys.length) await storage.session.remove(keys);
}
