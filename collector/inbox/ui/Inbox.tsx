import { h } from 'preact';
import { Detail } from './Detail';
import { Rows } from './Rows';
import { SearchBar, StatusTabs } from './Search';
import { BulkActions, Export, Pager, SelectAll } from './Toolbar';

/** The list beside one record: the search, the statuses, the selection's actions, the rows. */
export function InboxView() {
  return (
    <div class="inbox">
      <section class="list-pane" aria-labelledby="inbox-title">
        <div class="list-head">
          <h1 id="inbox-title">Inbox</h1>
          <SearchBar />
        </div>
        <StatusTabs />
        <div class="toolbar">
          <SelectAll />
          <BulkActions />
          <Export />
        </div>
        <Rows />
        <Pager />
      </section>
      <Detail />
    </div>
  );
}
