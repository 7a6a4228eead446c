// Content scripts are classic scripts: they cannot be ES modules or use static imports. Rather
// than duplicate the shared pure modules into a classic bundle at build time (a second copy of
// the code to keep in sync), this loader imports the real modules, which the manifest lists in
// web_accessible_resources. The cost: a page could probe for those files and learn that Parallax
// is installed (the badges would tell it anyway); it learns nothing about the user's browsing.
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  import(api.runtime.getURL('content/main.js'))
    .then((module) => module.start())
    .catch(() => {
      // The extension was reloaded or removed while this page stayed open: stay silent.
    });
})();
