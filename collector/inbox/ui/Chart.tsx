import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface Drawn<T> {
  update(data: T): void;
  destroy(): void;
}

/**
 * A uPlot chart beside a table with the same numbers, which screen readers read instead. uPlot
 * is loaded with the first chart, so the list and the record never wait for it.
 */
export function Chart<T>(props: {
  title: string;
  id: string;
  load: () => Promise<(container: HTMLElement) => Drawn<T>>;
  data: T;
  table: preact.ComponentChildren;
}) {
  const container = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn<T> | undefined>(undefined);
  const latest = useRef(props.data);
  latest.current = props.data;
  useEffect(() => {
    let gone = false;
    void props.load().then((make) => {
      if (gone || !container.current) return;
      drawn.current = make(container.current);
      drawn.current.update(latest.current);
    });
    return () => {
      gone = true;
      drawn.current?.destroy();
    };
  }, []);
  useEffect(() => drawn.current?.update(props.data), [props.data]);
  return (
    <section class="card" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <div class="chart" ref={container} aria-hidden="true" />
      {props.table}
    </section>
  );
}
