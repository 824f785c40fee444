import { type ReadonlySignal, signal } from '@preact/signals-core';

const HINTS = ['class', 'data-theme', 'data-bs-theme', 'data-mode'];

/**
 * Whether the host page is dark: its own switch first (`dark` or `light` in a class or
 * data-theme-style attribute of <html> or <body>, then its CSS `color-scheme`), else the OS.
 */
function pageIsDark(os: MediaQueryList): boolean {
  const root = document.documentElement;
  const hints = [root, document.body].flatMap((el) => HINTS.map((name) => el?.getAttribute(name)));
  const said = /\b(dark|light)\b/i.exec(hints.join(' '))?.[1];
  if (said) return said.toLowerCase() === 'dark';
  const scheme = getComputedStyle(root).colorScheme;
  return scheme === 'dark' || (scheme !== 'light' && os.matches);
}

/** A live signal of the page's dark mode, kept current by one observer for all widgets. */
export function watchPageTheme(): ReadonlySignal<boolean> {
  const os = matchMedia('(prefers-color-scheme: dark)');
  const dark = signal(pageIsDark(os));
  const update = () => {
    dark.value = pageIsDark(os);
  };
  os.addEventListener('change', update);
  // A <body> parsed after this runs, or swapped in by Turbo Drive and the like, is a change to
  // the child list of <html>: the new one is watched from then on.
  const observer = new MutationObserver(() => {
    watch();
    update();
  });
  const watch = () => {
    const attributeFilter = [...HINTS, 'style'];
    observer.observe(document.documentElement, { childList: true, attributeFilter });
    if (document.body) observer.observe(document.body, { attributeFilter });
  };
  watch();
  return dark;
}
