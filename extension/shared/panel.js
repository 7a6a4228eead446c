// The panel: the outlet's rating and the story's other coverage, rendered from a view model
// (view.js) into a closed shadow root. Used by the content script (floating, behind a badge) and
// by the popup (inline). Every node comes from createElement and every string goes through
// textContent: server data is never parsed as HTML. Links are only the http(s) ones view.js kept.

import { BIAS } from './scales.js';
import { INLINE_PANEL_CSS, PAGE_PANEL_CSS } from './panel-style.js';

/** Create an element with a class, text and attributes; `children` are appended in order. */
export function el(doc, tag, { cls, text, attrs, color } = {}, children = []) {
  const node = doc.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value != null) node.setAttribute(name, value);
  }
  // Colours come from our own scales, never from the server.
  if (color) node.style.setProperty('--c', color);
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Give a shadow root its styles: a constructed sheet when the browser allows, else a <style>. */
export function adoptStyles(root, css) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    // Firefox content scripts cannot adopt sheets across their sandbox; a <style> works there.
    root.append(el(root.ownerDocument ?? document, 'style', { text: css }));
  }
}

function logo(doc) {
  return el(doc, 'span', { cls: 'logo', attrs: { 'aria-hidden': 'true' } }, [
    el(doc, 'i'), el(doc, 'i'), el(doc, 'i'),
  ]);
}

function chip(doc, level, fallback = 'Not rated') {
  return el(doc, 'span', { cls: 'chip', text: level ? level.title : fallback, color: level?.color ?? '#94a3b8' });
}

function ratingRow(doc, term, value) {
  return [el(doc, 'dt', { text: term }), el(doc, 'dd', {}, [value])];
}

function biasScale(doc, level) {
  const cells = BIAS.map((step) =>
    el(doc, 'span', { cls: step.label === level?.label ? 'on' : '', color: step.color, attrs: { title: step.title } }));
  return [
    el(doc, 'div', { cls: 'scale', attrs: { 'aria-hidden': 'true' } }, cells),
    el(doc, 'div', { cls: 'scale-ends', attrs: { 'aria-hidden': 'true' } }, [
      el(doc, 'span', { text: 'Far left' }), el(doc, 'span', { text: 'Center' }), el(doc, 'span', { text: 'Far right' }),
    ]),
  ];
}

function outletPart(doc, vm) {
  const outlet = vm.outlet;
  if (!outlet && vm.status === 'loading') {
    return [el(doc, 'p', { cls: 'outlet-name', text: 'Looking up…' })];
  }
  if (!outlet) {
    return [el(doc, 'p', { cls: 'outlet-name', text: 'Not rated' }),
      el(doc, 'p', { cls: 'note', text: vm.unratedText })];
  }
  const dl = el(doc, 'dl', { cls: 'ratings' }, [
    ...ratingRow(doc, 'Bias', chip(doc, outlet.bias)),
    ...ratingRow(doc, 'Factuality', chip(doc, outlet.factuality)),
  ]);
  if (outlet.ownership) {
    const text = outlet.owner ? `${outlet.ownership.title} · ${outlet.owner}` : outlet.ownership.title;
    dl.append(...ratingRow(doc, 'Ownership', el(doc, 'span', { text })));
  }
  if (outlet.country) dl.append(...ratingRow(doc, 'Country', el(doc, 'span', { text: outlet.country })));
  if (outlet.paywall) dl.append(...ratingRow(doc, 'Paywall', el(doc, 'span', { text: 'Yes' })));
  return [
    el(doc, 'h2', { cls: 'outlet-name', text: outlet.name }),
    ...(outlet.bias ? biasScale(doc, outlet.bias) : [el(doc, 'p', { cls: 'note', text: 'This outlet has no bias rating yet.' })]),
    dl,
  ].filter(Boolean);
}

function articleItem(doc, item) {
  const headline = item.url
    ? el(doc, 'a', { text: item.title, attrs: { href: item.url, target: '_blank', rel: 'noopener noreferrer' } })
    : el(doc, 'span', { cls: 'headline', text: item.title });
  const source = [item.outletName, item.bias?.title, item.ago].filter(Boolean).join(' · ');
  return el(doc, 'li', {}, [headline, el(doc, 'span', { cls: 'source', text: source })]);
}

function coveragePart(doc, vm, perSide = Infinity) {
  const section = el(doc, 'section', { cls: 'section', attrs: { 'aria-label': 'Coverage of this story' } }, [
    el(doc, 'h3', { cls: 'section-title', text: 'Coverage' }),
  ]);
  const story = vm.story;
  if (vm.status === 'loading') {
    section.append(el(doc, 'div', { cls: 'skeleton' }), el(doc, 'div', { cls: 'skeleton' }));
  }
  if (story) {
    const first = story.firstReported;
    const meta = first ? `${story.sourcesText} · first reported by ${first.outletName}${first.ago ? `, ${first.ago}` : ''}` : story.sourcesText;
    section.append(
      el(doc, 'p', { cls: 'story-title', text: story.title }),
      el(doc, 'p', { cls: 'story-meta', text: meta }),
    );
    if (story.matchText) section.append(el(doc, 'p', { cls: 'story-meta', text: story.matchText, attrs: { 'data-role': 'match' } }));
    if (story.demo) section.append(el(doc, 'p', { cls: 'story-meta', text: 'Demo story: its articles were written to show how Parallax works.', attrs: { 'data-role': 'demo' } }));
    const split = story.split;
    if (!split.empty) {
      const bar = el(doc, 'div', { cls: 'split', attrs: { role: 'img', 'aria-label': `Bias split of the sources: ${split.text}` } });
      for (const segment of split.segments.filter((s) => s.width > 0)) {
        const part = el(doc, 'span', { color: segment.color, attrs: { 'data-side': segment.side } });
        // CSSOM, not a style attribute: pages with a strict style-src CSP still allow it.
        part.style.width = `${segment.width.toFixed(2)}%`;
        bar.append(part);
      }
      const legend = el(doc, 'ul', { cls: 'legend', attrs: { 'aria-hidden': 'true' } }, split.segments.map((s) =>
        el(doc, 'li', { color: s.color }, [el(doc, 'span', { text: `${s.title} ` }), el(doc, 'b', { text: `${s.percent}%` })])));
      if (split.unrated) legend.append(el(doc, 'li', { cls: 'legend-extra', text: `+${split.unrated} not rated`, color: '#94a3b8' }));
      section.append(bar, legend);
    } else {
      section.append(el(doc, 'p', { cls: 'note', text: 'None of the sources covering this story is rated yet.' }));
    }
    if (story.blindspot) {
      section.append(el(doc, 'p', { cls: 'note blindspot', text: story.blindspot.text, attrs: { role: 'note' } }));
    }
    // perSide 0 (the popup): the split says who covered it; the articles are on the story page.
    for (const group of perSide > 0 ? story.groups : []) {
      const shown = group.items.slice(0, perSide);
      const more = group.items.length - shown.length;
      section.append(el(doc, 'div', { cls: 'group', attrs: { 'data-side': group.side } }, [
        el(doc, 'h4', { cls: 'group-title', color: group.color }, [
          el(doc, 'span', { text: group.title }), el(doc, 'small', { text: `${group.items.length}` }),
        ]),
        el(doc, 'ul', { cls: 'articles' }, shown.map((item) => articleItem(doc, item))),
        more > 0 ? el(doc, 'p', { cls: 'more', text: `+${more} more in the full coverage` }) : null,
      ]));
    }
  }
  if (story?.pageUrl) {
    section.append(el(doc, 'a', {
      cls: 'full-coverage', text: 'See full coverage →',
      attrs: { href: story.pageUrl, target: '_blank', rel: 'noopener noreferrer', 'data-role': 'full-coverage' },
    }));
  }
  if (vm.coverageNote && vm.status !== 'loading') {
    section.append(el(doc, 'p', { cls: vm.status === 'error' ? 'note error' : 'note', text: vm.coverageNote, attrs: { 'data-role': 'coverage-note' } }));
  }
  return section;
}

/**
 * Build the panel's content for a view model; `onClose`/`onReport` wire its buttons. `perSide`
 * caps the articles listed per side (the popup lists none: they are on the story's page).
 */
export function buildPanel(doc, vm, { onClose, onReport, header = true, perSide = Infinity } = {}) {
  const closeButton = onClose
    ? el(doc, 'button', { cls: 'close', text: '×', attrs: { type: 'button', 'aria-label': 'Close the Parallax panel' } })
    : null;
  closeButton?.addEventListener('click', onClose);
  const report = vm.outlet && onReport
    ? el(doc, 'button', { cls: 'linkish', text: 'Report a wrong rating', attrs: { type: 'button' } })
    : null;
  report?.addEventListener('click', () => onReport(vm.outlet.slug, vm.url));
  return el(doc, 'div', { cls: 'panel' }, [
    header ? el(doc, 'div', { cls: 'panel-head' }, [
      el(doc, 'div', { cls: 'brand' }, [logo(doc), el(doc, 'span', { text: 'Parallax' })]),
      closeButton,
    ]) : null,
    el(doc, 'div', { cls: 'body' }, [...outletPart(doc, vm), coveragePart(doc, vm, perSide)]),
    el(doc, 'div', { cls: 'foot' }, [el(doc, 'span', { text: 'Ratings: Parallax maintainers' }), report]),
  ]);
}

/** Mount an always-open panel inside `container` (the popup). Returns `{render(vm)}`. */
export function mountInlinePanel(container, { onReport, perSide = Infinity } = {}) {
  const doc = container.ownerDocument;
  const host = el(doc, 'parallax-panel');
  const root = host.attachShadow({ mode: 'closed' });
  adoptStyles(root, INLINE_PANEL_CSS);
  const slot = el(doc, 'div');
  root.append(slot);
  container.replaceChildren(host);
  return {
    host,
    render(vm) {
      // The popup has its own header: the panel's would say "Parallax" twice.
      slot.replaceChildren(buildPanel(doc, vm, { onReport, header: false, perSide }));
    },
  };
}

/**
 * Mount the floating badge + panel on an article page. The badge is a real <button> (focusable,
 * labelled, aria-expanded); Escape or a click elsewhere closes the panel and gives the focus back.
 */
export function mountPagePanel(doc, { position = 'bottom-right', onReport } = {}) {
  const host = el(doc, 'parallax-panel', { attrs: { 'data-position': position } });
  const root = host.attachShadow({ mode: 'closed' });
  adoptStyles(root, PAGE_PANEL_CSS);
  const badge = el(doc, 'button', {
    cls: 'badge', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'px-panel', 'aria-haspopup': 'dialog' },
  });
  const floating = el(doc, 'div', {
    cls: 'floating', attrs: { id: 'px-panel', role: 'dialog', 'aria-label': 'Parallax: rating and coverage', hidden: '' },
  });
  root.append(el(doc, 'div', { cls: 'wrap' }, [badge, floating]));
  let vm = null;
  let open = false;

  const close = ({ focusBadge = true } = {}) => {
    if (!open) return;
    open = false;
    floating.hidden = true;
    badge.setAttribute('aria-expanded', 'false');
    if (focusBadge) badge.focus();
  };
  const show = () => {
    open = true;
    floating.replaceChildren(buildPanel(doc, vm, { onClose: () => close(), onReport }));
    floating.hidden = false;
    badge.setAttribute('aria-expanded', 'true');
    floating.querySelector('.close')?.focus();
  };
  badge.addEventListener('click', () => (open ? close() : show()));
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && open) {
      event.stopPropagation();
      close();
    }
  });
  const onDocKey = (event) => {
    if (event.key === 'Escape' && open) close({ focusBadge: false });
  };
  // Clicks inside a closed shadow root are retargeted to the host, so composedPath() tells them apart.
  const onDocPointer = (event) => {
    if (open && !event.composedPath().includes(host)) close({ focusBadge: false });
  };
  doc.addEventListener('keydown', onDocKey);
  doc.addEventListener('pointerdown', onDocPointer, true);
  // Appended to <html>, not <body>: pages often re-render or transform their body.
  doc.documentElement.append(host);

  return {
    host,
    render(next) {
      vm = next;
      badge.replaceChildren(
        logo(doc),
        el(doc, 'span', { cls: 'badge-outlet', text: vm.outlet?.name ?? 'Parallax' }),
        el(doc, 'span', { cls: 'badge-label', text: vm.badge.text, color: vm.badge.color, attrs: { 'data-role': 'bias' } }),
      );
      badge.querySelector('.badge-label').style.color = vm.badge.ink;
      badge.setAttribute('aria-label', `${vm.badge.ariaLabel}. Show rating and coverage`);
      badge.dataset.status = vm.status;
      if (open) floating.replaceChildren(buildPanel(doc, vm, { onClose: () => close(), onReport }));
    },
    open: show,
    close,
    destroy() {
      doc.removeEventListener('keydown', onDocKey);
      doc.removeEventListener('pointerdown', onDocPointer, true);
      host.remove();
    },
  };
}
