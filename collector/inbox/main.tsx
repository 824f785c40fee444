// The team's inbox (SPEC §12): its own Vite entry, never part of dist/feedback-widget.js.
import './inbox.css';
import { h, render } from 'preact';
import { onKey } from './keyboard';
import {
  followAddress,
  keepCursor,
  keepRefreshing,
  keepSelection,
  loadConfig,
  sayErased,
} from './live';
import { sayMatches } from './matches';
import { App } from './ui/App';

followAddress();
keepCursor();
keepSelection();
sayMatches();
sayErased();
keepRefreshing();
void loadConfig();
document.addEventListener('keydown', onKey);
render(<App />, document.getElementById('inbox') as HTMLElement);
