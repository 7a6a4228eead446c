// Lookups of one article: GET /api/v1/lookup, cached per URL (with its headline, description and
// publication time) for a short time in memory and in storage.session (which survives the worker being
// stopped but never touches the disk), so that going back to a page or reopening the popup costs
// no request.

import { LOOKUP_TIMEOUT_MS, ServerError, fetchWithTimeout, problemText } from './net.js';

export const CACHE_TTL_MS = 10 * 60 * 1000;
const CACHE_MAX = 200;
const memory = new Map();

const TITLE_MAX = 300;
const DESCRIPTION_MAX = 300;

/**
 * Return the query of a lookup. `description` and `published` go with the headline and only
 * with it: the server uses them in its headline match (the description's words, the window
 * centred on the publication time, now by default), so without a headline they change nothing
 * and are not sent.
 */
export function lookupQuery(url, title, published, description = '') {
  const query = new URLSearchParams({ url });
  if (title) {
    query.set('title', title.slice(0, TITLE_MAX));
    if (description) query.set('description', description.slice(0, DESCRIPTION_MAX));
    if (published) query.set('published', published);
  }
  return query;
}

// The key holds what was sent (a headline is cut as in the query): the same page read with
// another publication time is matched in another window, so it is another answer.
function cacheKey(server, query) {
  return `lookup:${server}|${query}`;
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

/**
 * Return the server's lookup answer for a URL (and headline, publication time and description),
 * from the cache when fresh.
 */
export async function lookup(storage, server, url, title, published = null, description = '') {
  const query = lookupQuery(url, title, published, description);
  const key = cacheKey(server, query);
  const cached = await readCache(storage, key);
  if (cached) return cached;
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
