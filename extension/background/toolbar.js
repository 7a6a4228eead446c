// The toolbar icon's badge: the current tab's outlet bias as a short text on the bias colour.
// Set per tab, so switching tabs shows each tab's own outlet without any extra work.

import { biasLevel, toolbarText } from '../shared/scales.js';

/** Show an outlet's bias on a tab's toolbar icon, or clear it when the outlet is null. */
export async function setToolbarBadge(action, tabId, outlet) {
  if (tabId == null || !action) return;
  const level = biasLevel(outlet?.bias);
  const text = outlet ? toolbarText(outlet.bias) || '?' : '';
  const title = outlet
    ? `Parallax: ${outlet.name} — ${level ? level.title : 'not rated'}`
    : 'Parallax';
  try {
    await action.setBadgeText({ tabId, text });
    await action.setTitle({ tabId, title });
    if (outlet) {
      await action.setBadgeBackgroundColor({ tabId, color: level?.color ?? '#64748b' });
      await action.setBadgeTextColor?.({ tabId, color: '#ffffff' });
    }
  } catch {
    // The tab was closed while we were answering.
  }
}
