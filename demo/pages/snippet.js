// The HTML a page author pastes to get the playground's widget: the script tag carrying the
// endpoint, and one element with the options that differ from the defaults.

function attributeOf(name) {
  return `data-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function escapeAttribute(value) {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** Pasted into another site, a path would point at that site: make it absolute. */
function absolute(endpoint) {
  if (/^[a-z][a-z\d+.-]*:/i.test(endpoint)) return endpoint;
  // URL() percent-encodes the braces of {placeholders}; the widget needs them literal.
  return new URL(endpoint, location.href).href.replace(/%7B(\w*)%7D/g, '{$1}');
}

/** `options` are the widget's options as attribute text, keyed by their camelCase names. */
export function snippetFor(options) {
  const { endpoint = '', ...element } = options;
  const attributes = Object.entries(element).map(
    ([name, value]) => `\n     ${attributeOf(name)}="${escapeAttribute(value)}"`,
  );
  return (
    `<script src="${absolute('/feedback-widget.js')}" async\n` +
    `        data-endpoint="${escapeAttribute(absolute(endpoint))}"></script>\n\n` +
    `<div data-feedback${attributes.join('')}></div>`
  );
}
