import { randomUUID } from 'node:crypto';
import { signFeedbackToken } from '../../widget/token';
import type { CollectorConfig } from './config';
import { json, readJson } from './http';
import type { Handler } from './routes';
import { asObject, id, required } from './validate';

/**
 * `POST /demo/answer { conversation_id }` → `{ message_id, token? }`: what a chat backend does
 * when it renders an answer. It names the message and, with `FEEDBACK_SECRET`, signs a token
 * that lets this conversation vote on this message only (SPEC §10); the page puts it in
 * `data-token`. The demo chat calls it; a real backend mints the token the same way.
 */
export function demoAnswer(config: CollectorConfig): Handler {
  return async ({ request }) => {
    const fields = asObject(await readJson(request));
    const conversationId = id(required(fields, 'conversation_id'), 'conversation_id');
    const messageId = randomUUID();
    const [secret] = config.feedbackSecrets;
    const token =
      secret === undefined
        ? undefined
        : await signFeedbackToken(
            { conversation_id: conversationId, message_id: messageId },
            secret,
          );
    return json(200, { message_id: messageId, ...(token === undefined ? {} : { token }) });
  };
}
