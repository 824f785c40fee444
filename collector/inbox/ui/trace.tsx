import { h } from 'preact';
import { traceHref } from '../format';
import { traceTemplate } from '../state';

/** A link to the trace when `TRACE_URL` is set; nothing otherwise. */
export function TraceLink({ traceId }: { traceId: string }) {
  const template = traceTemplate.value;
  const href = template === undefined ? undefined : traceHref(template, traceId);
  if (href === undefined) return null;
  return (
    <a class="trace-link" href={href} rel="noreferrer noopener" target="_blank">
      Open the trace
    </a>
  );
}
