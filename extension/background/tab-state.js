// What the worker knows about each tab's page (outlet, lookup answer), for the popup. Held in
// memory and mirrored to storage.session so the popup still finds it after the worker slept.

const states = new Map();

function key(tabId) {
  return `tab:${tabId}`;
}

/** Remember a tab's state. */
export async function saveTabState(storage, tabId, state) {
  if (tabId == null) return;
  states.set(tabId, state);
  await storage.session?.set({ [key(tabId)]: state }).catch(() => {});
}

/** Return a tab's state, or null. */
export async function readTabState(storage, tabId) {
  if (states.has(tabId)) return states.get(tabId);
  const stored = (await storage.session?.get(key(tabId)))?.[key(tabId)] ?? null;
  if (stored) states.set(tabId, stored);
  return stored;
}

/** Forget a tab's state (closed, or navigating to another page). */
export async function forgetTab(storage, tabId) {
  states.delete(tabId);
  await storage.session?.remove(key(tabId)).catch(() => {});
}
