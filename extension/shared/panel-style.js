// Styles of the injected UI, as strings adopted into closed shadow roots (and into the popup).
// They start from `:host { all: initial }` so that no page style reaches in, and set everything
// they rely on (font, colours, box model) themselves. Light and dark themes follow the system.

const TOKENS = `
  --px-bg: #ffffff;
  --px-surface: #f8fafc;
  --px-text: #0f172a;
  --px-muted: #64748b;
  --px-border: #e2e8f0;
  --px-accent: #4f46e5;
  --px-link: #1d4ed8;
  --px-note-bg: #fffbeb;
  --px-note-border: #fcd34d;
  --px-note-text: #78350f;
  --px-shadow: 0 10px 30px rgba(15, 23, 42, 0.18), 0 2px 6px rgba(15, 23, 42, 0.08);
  --px-scale-dim: 0.3;
  --px-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
`;

const DARK_TOKENS = `
  --px-bg: #111827;
  --px-scale-dim: 0.45;
  --px-surface: #1f2937;
  --px-text: #f3f4f6;
  --px-muted: #9ca3af;
  --px-border: #374151;
  --px-accent: #818cf8;
  --px-link: #93c5fd;
  --px-note-bg: #3b2f0b;
  --px-note-border: #a16207;
  --px-note-text: #fde68a;
  --px-shadow: 0 10px 30px rgba(0, 0, 0, 0.55), 0 2px 6px rgba(0, 0, 0, 0.4);
`;

// Shared by the floating panel (content script) and the inline panel (popup).
const PANEL_BODY = `
  *, *::before, *::after { box-sizing: border-box; }
  [hidden] { display: none !important; }
  button { font: inherit; color: inherit; }
  .logo { display: inline-flex; gap: 2px; align-items: flex-end; height: 14px; flex: none; }
  .logo i { display: block; width: 4px; border-radius: 2px; }
  .logo i:nth-child(1) { height: 10px; background: #2563eb; }
  .logo i:nth-child(2) { height: 14px; background: #8b5cf6; }
  .logo i:nth-child(3) { height: 10px; background: #dc2626; }

  .panel {
    width: 100%; background: var(--px-bg); color: var(--px-text);
    font: 13px/1.45 var(--px-font); text-align: left;
  }
  .panel-head {
    display: flex; align-items: center; justify-content: space-between; gap: 8px;
    padding: 10px 12px 10px 14px; border-bottom: 1px solid var(--px-border);
  }
  .brand { display: flex; align-items: center; gap: 8px; font-weight: 650; font-size: 13px; letter-spacing: 0.01em; }
  .close {
    width: 28px; height: 28px; border: 0; border-radius: 8px; background: transparent;
    color: var(--px-muted); cursor: pointer; font-size: 18px; line-height: 1;
  }
  .close:hover { background: var(--px-surface); color: var(--px-text); }
  .body { padding: 12px 14px 14px; }
  .outlet-name { margin: 0; font-size: 16px; font-weight: 700; line-height: 1.3; }
  .ratings { display: grid; grid-template-columns: auto 1fr; gap: 6px 12px; margin: 12px 0 0; align-items: center; }
  .ratings dt { color: var(--px-muted); font-size: 12px; }
  .ratings dd { margin: 0; min-width: 0; }
  .chip {
    display: inline-flex; align-items: center; gap: 5px; padding: 1px 8px 1px 6px; border-radius: 999px;
    font-size: 12px; font-weight: 600; white-space: nowrap;
    background: color-mix(in srgb, var(--c) 14%, transparent); color: var(--px-text);
    border: 1px solid color-mix(in srgb, var(--c) 45%, transparent);
  }
  .chip::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--c); }
  .scale { display: grid; grid-template-columns: repeat(7, 1fr); gap: 2px; margin: 10px 0 2px; }
  .scale span { height: 5px; border-radius: 3px; background: var(--c); opacity: var(--px-scale-dim); }
  .scale span.on { opacity: 1; height: 7px; margin-top: -1px; box-shadow: 0 0 0 2px var(--px-bg), 0 0 0 3px var(--c); }
  .scale-ends { display: flex; justify-content: space-between; color: var(--px-muted); font-size: 10.5px; }

  .section { margin-top: 14px; padding-top: 12px; border-top: 1px solid var(--px-border); }
  .section-title {
    margin: 0 0 6px; font-size: 11px; font-weight: 700; letter-spacing: 0.06em;
    text-transform: uppercase; color: var(--px-muted);
  }
  .story-title { margin: 0; font-weight: 600; font-size: 13.5px; }
  .story-meta { margin: 3px 0 0; color: var(--px-muted); font-size: 12px; }
  .split { display: flex; height: 10px; margin: 10px 0 6px; border-radius: 5px; overflow: hidden; background: var(--px-border); }
  .split span { height: 100%; background: var(--c); }
  .split span + span { box-shadow: inset 2px 0 0 var(--px-bg); }
  .legend { display: flex; gap: 12px; flex-wrap: wrap; margin: 0; padding: 0; list-style: none; font-size: 12px; }
  .legend li { display: flex; align-items: center; gap: 5px; }
  .legend li::before { content: ""; width: 8px; height: 8px; border-radius: 2px; background: var(--c); }
  .legend b { font-weight: 700; }
  .legend-extra { color: var(--px-muted); }
  .note {
    margin: 10px 0 0; padding: 7px 10px; border-radius: 8px; font-size: 12px;
    background: var(--px-surface); color: var(--px-muted);
  }
  .note.blindspot { background: var(--px-note-bg); color: var(--px-note-text); border: 1px solid var(--px-note-border); }
  .note.error { border: 1px dashed var(--px-border); }
  .group { margin-top: 12px; }
  .group-title { display: flex; align-items: center; gap: 6px; margin: 0 0 4px; font-size: 12px; font-weight: 700; }
  .group-title::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--c); }
  .group-title small { color: var(--px-muted); font-weight: 500; font-size: 12px; }
  .articles { margin: 0; padding: 0; list-style: none; }
  .articles li { padding: 6px 0; border-bottom: 1px solid var(--px-border); }
  .articles li:last-child { border-bottom: 0; }
  .articles a, .articles .headline {
    display: block; color: var(--px-link); text-decoration: none; font-weight: 550; font-size: 13px; line-height: 1.35;
  }
  .articles .headline { color: var(--px-text); }
  .articles a:hover { text-decoration: underline; }
  .source { display: block; margin-top: 2px; color: var(--px-muted); font-size: 11.5px; }
  .foot {
    display: flex; justify-content: space-between; align-items: center; gap: 8px;
    padding: 8px 14px; border-top: 1px solid var(--px-border); background: var(--px-surface);
    color: var(--px-muted); font-size: 11.5px;
  }
  .linkish {
    border: 0; padding: 0; background: none; color: var(--px-link); cursor: pointer; font-size: 11.5px;
    text-decoration: underline; text-underline-offset: 2px;
  }
  .more { margin: 4px 0 0; color: var(--px-muted); font-size: 11.5px; }
  .full-coverage {
    display: block; margin-top: 12px; padding: 8px 10px; border-radius: 8px; text-align: center;
    background: var(--px-text); color: var(--px-bg); font-weight: 700; font-size: 12.5px; text-decoration: none;
  }
  .full-coverage:hover { opacity: 0.9; }
  :focus-visible { outline: 2px solid var(--px-accent); outline-offset: 2px; }
  .skeleton { height: 10px; border-radius: 5px; background: var(--px-surface); margin: 8px 0; }
`;

/** CSS of the floating badge + panel injected into article pages. */
export const PAGE_PANEL_CSS = `
  :host {
    all: initial !important;
    position: fixed !important; z-index: 2147483646 !important;
    display: block !important;
    ${TOKENS}
  }
  @media (prefers-color-scheme: dark) { :host { ${DARK_TOKENS} } }
  :host([data-position="bottom-right"]) { right: 16px !important; bottom: 16px !important; }
  :host([data-position="bottom-left"]) { left: 16px !important; bottom: 16px !important; }
  :host([data-position="top-right"]) { right: 16px !important; top: 16px !important; }
  :host([data-position="top-left"]) { left: 16px !important; top: 16px !important; }
  /* The badge stays where it is; the panel opens towards the middle of the screen. */
  .wrap { display: flex; flex-direction: column-reverse; align-items: flex-end; gap: 10px; font-family: var(--px-font); }
  :host([data-position$="left"]) .wrap { align-items: flex-start; }
  :host([data-position^="top"]) .wrap { flex-direction: column; }
  .badge {
    display: inline-flex; align-items: center; gap: 8px; height: 34px; padding: 0 5px 0 11px;
    border: 1px solid var(--px-border); border-radius: 17px; background: var(--px-bg); color: var(--px-text);
    box-shadow: var(--px-shadow); cursor: pointer; font: 600 12.5px/1 var(--px-font);
    transition: transform 120ms ease, box-shadow 120ms ease;
  }
  .badge:hover { transform: translateY(-1px); }
  .badge-outlet { max-width: 160px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .badge-label {
    display: inline-flex; align-items: center; height: 24px; padding: 0 10px; border-radius: 12px;
    background: var(--c); color: #fff; font-weight: 700; letter-spacing: 0.01em;
  }
  .floating {
    width: 360px; max-width: calc(100vw - 32px); max-height: min(72vh, 640px); overflow: auto;
    border: 1px solid var(--px-border); border-radius: 14px; background: var(--px-bg);
    box-shadow: var(--px-shadow); scrollbar-width: thin; scrollbar-color: var(--px-border) transparent;
  }
  ${PANEL_BODY}
`;

/** CSS of the inline panel in the popup (no badge, no fixed position). */
export const INLINE_PANEL_CSS = `
  :host { all: initial; display: block; ${TOKENS} }
  @media (prefers-color-scheme: dark) { :host { ${DARK_TOKENS} } }
  ${PANEL_BODY}
`;

/** CSS of the small badge beside a link. Kept tiny: a page may hold a thousand of them. */
export const LINK_BADGE_CSS = `
  :host {
    all: initial !important; display: inline-block !important; vertical-align: middle !important;
    margin: 0 0 0 5px !important;
  }
  span {
    display: inline-block; padding: 1px 6px; border-radius: 999px; background: var(--c); color: #fff;
    font: 700 10px/14px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; letter-spacing: 0.02em;
    white-space: nowrap; cursor: help;
  }
`;
