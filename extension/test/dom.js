// A DOM for the extraction tests: linkedom (a devDependency, installed by `make test`), which
// parses a page as a browser would, without one.

import { parseHTML } from 'linkedom';

/**
 * Return the document of `html`. linkedom, unlike a browser, does not merge a second <html>
 * start tag into the first (some saved pages have one): it is dropped before parsing.
 */
export function documentOf(html) {
  const once = html.replace(/(<html\b[^>]*>[\s\S]*?)<html\b[^>]*>/i, '$1');
  return parseHTML(once).document;
}
