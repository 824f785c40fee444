/** The visible texts of one locale; `reasons` are the default down-vote reasons, `|`-separated. */
export interface Messages {
  prompt: string;
  up: string;
  down: string;
  neutral: string;
  thanks: string;
  /** The vote waits in the outbox for a retry. */
  queued: string;
  /** The endpoint refused the vote for good. */
  failed: string;
  more: string;
  send: string;
  skip: string;
  reasons: string;
}

/** A locale file: the texts of `Messages` in this order, without repeating the names in each. */
export type Texts = [
  prompt: string,
  up: string,
  down: string,
  neutral: string,
  thanks: string,
  queued: string,
  failed: string,
  more: string,
  send: string,
  skip: string,
  reasons: string,
];
