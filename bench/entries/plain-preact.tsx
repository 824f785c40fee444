import { h, render } from 'preact';
import { useState } from 'preact/hooks';

type Rating = 'up' | 'down';

const THUMB =
  'M2 10h4v11H2zm6 11h9.6a2 2 0 0 0 2-1.6l1.3-7A2 2 0 0 0 19 10h-5.2l.9-4.6A2 2 0 0 0 11 4.2L8 10z';
const LABELS: Record<Rating, string> = { up: 'Helpful', down: 'Not helpful' };

/**
 * The DOM a widget shows (a group labelled by the prompt, two toggle buttons with an icon and a
 * label, a status line) with none of its machinery: no shadow root, no stylesheet, no options,
 * no storage, no signals. The floor that mounting a widget is compared against.
 */
function Buttons({ id }: { id: string }) {
  const [pressed, setPressed] = useState<Rating | undefined>(undefined);
  return (
    <div class="fw">
      {/* biome-ignore lint/a11y/useSemanticElements: the widget's own markup, copied as it is */}
      <div class="bar" role="group" aria-labelledby={id}>
        <span id={id} class="prompt">
          Was this helpful?
        </span>
        {(['up', 'down'] as const).map((rating) => (
          <button
            type="button"
            class={rating}
            aria-pressed={pressed === rating}
            onClick={() => setPressed(rating)}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d={THUMB} />
            </svg>
            <span class="label">{LABELS[rating]}</span>
          </button>
        ))}
      </div>
      <div class="status" role="status">
        {pressed ? 'Thanks for your feedback!' : ''}
      </div>
    </div>
  );
}

let count = 0;

function renderInto(container: Element): void {
  render(<Buttons id={`plain-prompt-${++count}`} />, container);
}

// Set by hand: with terser's `toplevel`, the IIFE's own global would be dropped as unused.
window.BenchPlainPreact = { renderInto };

// The "already in the HTML" case: a script tag with data-selector renders into every match.
const selector = (document.currentScript as HTMLScriptElement | null)?.dataset.selector;
if (selector) for (const container of document.querySelectorAll(selector)) renderInto(container);
