// The article's description as the lookup sends it. Pure, tested in test/description.test.js.

export const DESCRIPTION_MAX = 300;

/**
 * Return a description with its whitespace collapsed, cut at a word to at most `max`
 * characters. The server matches on its words: half a word would only add noise.
 */
export function cutDescription(raw, max = DESCRIPTION_MAX) {
  const text = String(raw ?? '').replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max + 1);
  const end = cut.lastIndexOf(' ');
  return (end > max / 2 ? cut.slice(0, end) : text.slice(0, max)).replace(/[\s,;:–—-]+$/, '');
}
