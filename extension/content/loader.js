// Content scripts are classic scripts: they cannot be ES modules or use static imports. Rather
// than duplicate the shared pure modules into a classic bundle at build time (a second copy of
// the code to keep in sync), this loader imports the real modules, which the manifest lists in
// web_accessible_resources. The cost: a page could probe for those files and learn that Parallax
// is installed (the badges would tell it anyway); it learns nothing about the user's browsing.
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  // Ask the worker about this page while the modules load: the two waits overlap, which is most
  // of the time to the badge. The type is MSG.CS_BG_RESOLVE_PAGE of shared/messages.js (a
  // classic script cannot import it; test/style.test.js checks the two agree).
  const page = api.runtime
    .sendMessage({ type: 'cs-bg-resolve-page', pageUrl: location.href })
    .catch(() => null);
  import(api.runtime.getURL('content/main.js'))
    .then((module) => module.start(document, page))
    .catch(() => {
      // The extension was reloaded or removed while this page stayed open: stay silent.
    });
})();
