// User settings, kept in storage.local under one key. Read by every part of the extension.

import { normalizeHost, candidateHosts } from './resolve.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:5000';

export const PANEL_POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];

export const DEFAULTS = Object.freeze({
  server: DEFAULT_SERVER,
  linkBadges: true,
  panelPosition: 'bottom-right',
  disabledSites: [],
  // My reading: keep the rated articles opened in a diary in storage.local (shared/diary.js).
  diary: true,
});

/** Return the settings with defaults filled in and unknown values replaced. */
export function withDefaults(stored) {
  const settings = { ...DEFAULTS, ...(stored ?? {}) };
  if (!PANEL_POSITIONS.includes(settings.panelPosition)) settings.panelPosition = DEFAULTS.panelPosition;
  if (!Array.isArray(settings.disabledSites)) settings.disabledSites = [];
  settings.server = normalizeServer(settings.server) ?? DEFAULT_SERVER;
  settings.linkBadges = settings.linkBadges !== false;
  settings.diary = settings.diary !== false;
  return settings;
}

/** Return an http(s) server base URL without a trailing slash, or null when it is not one. */
export function normalizeServer(raw) {
  try {
    const url = new URL(String(raw).trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/** Return true when Parallax is switched off on a host (or on one of its parent domains). */
export function isSiteDisabled(settings, host) {
  const off = new Set(settings.disabledSites.map(normalizeHost));
  return candidateHosts(normalizeHost(host)).some((candidate) => off.has(candidate));
}

/** Read the settings from storage.local. */
export async function loadSettings(storage) {
  const { settings } = await storage.local.get('settings');
  return withDefaults(settings);
}

/** Merge a change into the stored settings and return the result. */
export async function saveSettings(storage, change) {
  const next = withDefaults({ ...(await loadSettings(storage)), ...change });
  await storage.local.set({ settings: next });
  return next;
}
