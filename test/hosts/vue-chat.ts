import { type FeedbackOptions, mount } from 'feedback-widget';
import {
  createApp,
  defineComponent,
  h,
  KeepAlive,
  onBeforeUnmount,
  onMounted,
  type PropType,
  ref,
  watch,
} from 'vue';

// README "Vue": the widget as a Vue 3 component, over `mount`.
export const Feedback = defineComponent({
  props: { options: { type: Object as PropType<FeedbackOptions>, required: true } },
  setup(props) {
    const host = ref<HTMLElement>();
    let widget: ReturnType<typeof mount> | undefined;
    onMounted(() => {
      widget = mount(host.value as HTMLElement, props.options);
    });
    watch(
      () => props.options,
      (options) => widget?.update(options),
      { deep: true },
    );
    onBeforeUnmount(() => widget?.unmount());
    return () => h('div', { ref: host });
  },
});

declare global {
  interface Window {
    /** What a test drives the app with. */
    vueChat?: { toggle(): void; stream(more: string): void; switchTab(): void };
  }
}

/** A tab kept alive while another shows: Vue moves its DOM out of the page and back. */
const KeptAnswer = defineComponent({
  setup: () => () =>
    h('article', { class: 'kept' }, [
      h('p', 'Kept answer'),
      h(Feedback, { options: { endpoint: '/api/feedback', messageId: 'v-kept' } }),
    ]),
});
const OtherTab = defineComponent({ setup: () => () => h('p', { class: 'other' }, 'Other tab') });

const App = defineComponent({
  setup() {
    const shown = ref(true);
    const kept = ref(true);
    const text = ref('An answer');
    window.vueChat = {
      toggle: () => {
        shown.value = !shown.value;
      },
      stream: (more) => {
        text.value += more;
      },
      switchTab: () => {
        kept.value = !kept.value;
      },
    };
    return () =>
      h('main', [
        shown.value
          ? h('article', { class: 'answer' }, [
              h('p', text.value),
              h(Feedback, {
                options: {
                  endpoint: '/api/feedback',
                  messageId: 'v-1',
                  messageContent: text.value,
                },
              }),
            ])
          : null,
        h(KeepAlive, null, [kept.value ? h(KeptAnswer) : h(OtherTab)]),
      ]);
  },
});

createApp(App).mount('#app');
