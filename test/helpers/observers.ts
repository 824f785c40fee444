/**
 * Fresh module copies (`vi.resetModules()`) each start their own document-wide
 * MutationObserver that nothing can stop; tracking them lets a test disconnect the
 * ones earlier tests started, so two copies never mount the same element.
 */
export function trackMutationObservers(): { disconnectAll(): void; restore(): void } {
  const Original = globalThis.MutationObserver;
  const started: MutationObserver[] = [];
  globalThis.MutationObserver = class extends Original {
    constructor(callback: MutationCallback) {
      super(callback);
      started.push(this);
    }
  };
  return {
    disconnectAll() {
      for (const observer of started.splice(0)) observer.disconnect();
    },
    restore() {
      globalThis.MutationObserver = Original;
    },
  };
}
