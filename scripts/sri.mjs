// Prints the versioned CDN snippet for the script tag, with the Subresource Integrity hash of
// the build in dist/: run it after `npm run build` for the release being published.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const hash = createHash('sha384').update(readFileSync('dist/feedback-widget.js')).digest('base64');
console.log(`<script src="https://cdn.jsdelivr.net/npm/feedback-widget@${version}/dist/feedback-widget.js"
        integrity="sha384-${hash}" crossorigin="anonymous" async
        data-endpoint="https://api.example.com/feedback"></script>`);
