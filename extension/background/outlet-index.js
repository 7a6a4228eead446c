// The compact outlet index: downloaded from the server, kept in storage.local, revalidated with
// its ETag (a 304 costs a few bytes) once a day through chrome.alarms, and compiled in memory for
// local resolution. Pages are resolved against it so the server only hears about rated outlets.

import { compileIndex } from '../shared/resolve.js';
import { INDEX_TIMEOUT_MS, ServerError, fetchWithTimeout, problemText } from './net.js';

export const REFRESH_ALARM = 'parallax-index-refresh';
export const REFRESH_MINUTES = 24 * 60;

let compiled = null;
let meta = { server: null, etag: null, fetchedAt: null, error: null, outletCount: 0, ruleCount: 0 };
let loading = null;
let storedLoaded = false;
let lastAttempt = 0;
// Failed downloads are retried at most this often when a page needs the index.
const RETRY_MS = 60 * 1000;

function describe(index) {
  return {
    outletCount: Object.keys(index?.outlets ?? {}).length,
    ruleCount: (index?.rules ?? []).length,
  };
}

/** Load the stored index into memory once per worker lifetime. */
async function loadStored(storage) {
  const { outletIndex } = await storage.local.get('outletIndex');
  if (outletIndex?.index) {
    compiled = compileIndex(outletIndex.index);
    meta = { ...meta, server: outletIndex.server, etag: outletIndex.etag, fetchedAt: outletIndex.fetchedAt, ...describe(outletIndex.index) };
  }
}

/**
 * Revalidate the index against `server`: If-None-Match with the stored ETag, 304 keeps what we
 * have. A different server than the stored one always downloads afresh.
 */
export async function refreshIndex(storage, server) {
  if (!storedLoaded) {
    storedLoaded = true;
    await loadStored(storage);
  }
  const sameServer = meta.server === server;
  const headers = sameServer && meta.etag ? { 'If-None-Match': meta.etag } : {};
  try {
    const response = await fetchWithTimeout(`${server}/api/v1/outlets/index`, { headers }, INDEX_TIMEOUT_MS);
    if (response.status === 304 && sameServer && compiled) {
      meta = { ...meta, fetchedAt: Date.now(), error: null };
      await storage.local.set({ outletIndex: { ...(await storage.local.get('outletIndex')).outletIndex, fetchedAt: meta.fetchedAt } });
      return status();
    }
    if (!response.ok) throw new ServerError(await problemText(response), response.status);
    const index = await response.json();
    const etag = response.headers.get('ETag') ?? index.version ?? null;
    compiled = compileIndex(index);
    meta = { server, etag, fetchedAt: Date.now(), error: null, ...describe(index) };
    await storage.local.set({ outletIndex: { server, etag, fetchedAt: meta.fetchedAt, index } });
  } catch (error) {
    meta = { ...meta, error: error.message };
    // An index from another server must not keep resolving pages for this one.
    if (!sameServer) {
      compiled = null;
      meta = { ...meta, server, etag: null, fetchedAt: null, outletCount: 0, ruleCount: 0 };
      await storage.local.remove('outletIndex');
    }
  }
  return status();
}

/** Revalidate once at a time; concurrent callers share the request. */
function refreshOnce(storage, server) {
  if (!loading) {
    lastAttempt = Date.now();
    loading = refreshIndex(storage, server).finally(() => {
      loading = null;
    });
  }
  return loading;
}

/**
 * Return the compiled index for `server`, or null when there is none yet. A stored index is used
 * at once even when it is stale (revalidated in the background), so pages never wait on the
 * network when the worker wakes up; only a missing index is awaited.
 */
export async function getIndex(storage, server) {
  if (!storedLoaded) {
    storedLoaded = true;
    await loadStored(storage);
  }
  const usable = compiled && meta.server === server;
  const stale = !meta.fetchedAt || Date.now() - meta.fetchedAt > REFRESH_MINUTES * 60000;
  const mayRetry = Date.now() - lastAttempt > RETRY_MS;
  if (usable) {
    if (stale && mayRetry) refreshOnce(storage, server);
    return compiled;
  }
  if (loading || mayRetry) await refreshOnce(storage, server);
  return compiled && meta.server === server ? compiled : null;
}

/** Return what the options page shows about the index. */
export function status() {
  return {
    server: meta.server,
    version: compiled?.version ?? null,
    outletCount: meta.outletCount,
    ruleCount: meta.ruleCount,
    fetchedAt: meta.fetchedAt,
    error: meta.error,
  };
}
