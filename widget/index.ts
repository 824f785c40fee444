/**
 * The script-tag entry, and the only module with side effects: reads the script's own
 * data attributes as defaults, defines <feedback-widget>, mounts every [data-feedback]
 * element now and later, and resumes votes earlier pages could not deliver.
 */
import { flush, mount } from './api';
import { scan, startAutoMount } from './auto-mount';
import { defineElement } from './define-element';
import { FeedbackWidgetElement } from './element';
import { type FeedbackOptions, toRaw } from './options';
import { getRuntime } from './runtime';

// A second copy of the script (pasted twice, or by two plugins) must not mount twice.
// An element with id="FeedbackWidget" is a window property too, but has no version. And page
// markup with name="currentScript" would replace document.currentScript: only a script counts.
if (!window.FeedbackWidget?.version) {
  const found = document.currentScript;
  const script = found instanceof HTMLScriptElement ? found : null;
  const defaults = toRaw(script?.dataset);
  window.FeedbackWidget = {
    // The script's attributes are text, which every option takes once checked.
    mount: (element, options) => mount(element, { ...(defaults as FeedbackOptions), ...options }),
    scan,
    flush,
    version: __VERSION__,
  };
  try {
    getRuntime();
    FeedbackWidgetElement.defaults = defaults;
    defineElement();
    startAutoMount({ defaults, selector: script?.dataset.selector });
  } catch (problem) {
    console.error('feedback-widget: could not start', problem);
  }
}
