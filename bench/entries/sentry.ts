import { feedbackIntegration, init } from '@sentry/browser';

// The DSN comes from the page, so the bench can point Sentry at its own local server.
init({
  dsn: document.currentScript?.dataset.dsn ?? '',
  integrations: [feedbackIntegration()],
});
