// The landing page's snippet with this collector's own URLs, as the playground writes it:
// pasted into another site, the paths it shows without JavaScript would point at that site.
import { snippetFor } from '/demo/snippet.js';

document.getElementById('snippet').textContent = snippetFor({
  endpoint: '/api/feedback',
  conversationId: 'conv-123',
  messageId: 'm-42',
});
