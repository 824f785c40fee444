import { createElement as h, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { Chat, type ChatProps } from './react-chat';

/** The chat's HTML as a server renders it, with no DOM: importing the widget must not need one. */
export function render(props: ChatProps): string {
  return renderToString(h(StrictMode, null, h(Chat, props)));
}
