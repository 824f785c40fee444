import { Feedback } from 'feedback-widget/react';
import { createElement as h, useEffect, useState } from 'react';

export interface Message {
  id: string;
  text: string;
}

export interface ChatProps {
  endpoint: string;
  messages: Message[];
}

/** What a test drives the app with: the state changes the app's own code would make. */
export interface ChatControls {
  /** Re-orders the keyed message lists (React moves the existing elements). */
  reverse(): void;
  /** Appends streamed text to one message. */
  stream(id: string, more: string): void;
  thanks(text: string): void;
}

declare global {
  interface Window {
    chat?: ChatControls;
    /** The `detail` of every `onVote` call. */
    votes?: unknown[];
  }
}

/**
 * A chat as AI chat UIs are built: each answer with a `<feedback-widget>` element (list one)
 * and with the `<Feedback>` component (list two), keyed by message id.
 */
export function Chat({ endpoint, messages: first }: ChatProps) {
  const [messages, setMessages] = useState(first);
  const [thanks, setThanks] = useState('');
  useEffect(() => {
    window.chat = {
      reverse: () => setMessages((list) => [...list].reverse()),
      stream: (id, more) =>
        setMessages((list) => list.map((m) => (m.id === id ? { ...m, text: m.text + more } : m))),
      thanks: setThanks,
    };
  }, []);
  return h(
    'main',
    null,
    h(
      'section',
      { id: 'elements' },
      messages.map((m) =>
        h(
          'article',
          { key: m.id },
          h('p', null, m.text),
          h('feedback-widget', { endpoint, 'message-id': `el-${m.id}` }),
        ),
      ),
    ),
    h(
      'section',
      { id: 'components' },
      messages.map((m) =>
        h(
          'article',
          { key: m.id },
          h('p', null, m.text),
          h(Feedback, {
            endpoint,
            messageId: `c-${m.id}`,
            messageContent: m.text,
            className: 'feedback',
            ...(thanks ? { thanks } : {}),
            onVote: (event) => {
              window.votes ??= [];
              window.votes.push(event.detail);
            },
          }),
        ),
      ),
    ),
  );
}
