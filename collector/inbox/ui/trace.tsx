import { h } from 'preact';
import { safeHref } from '../format';
import { traceTemplate } from '../state';

/** The trace's page at the LLM tracing tool: `{trace_id}` filled in, URL-encoded. */
export function traceHref(template: string, traceId: string): string | undefined {
  return safeHref(template.replaceAll('{trace_id}', encodeURIComponent(traceId)));
}

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
