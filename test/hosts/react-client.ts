import { defineElement } from 'feedback-widget';
import { createElement as h, StrictMode } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { Chat, type ChatProps } from './react-chat';

defineElement();
const props = JSON.parse(document.getElementById('props')?.textContent ?? '') as ChatProps;
const app = h(StrictMode, null, h(Chat, props));
const root = document.getElementById('app') as HTMLElement;
// Server-rendered markup is hydrated, as Next.js or Remix would; an empty root is rendered.
if (root.hasChildNodes()) {
  hydrateRoot(root, app, {
    onRecoverableError: (error) => console.error('hydration:', String(error)),
  });
} else {
  createRoot(root).render(app);
}
