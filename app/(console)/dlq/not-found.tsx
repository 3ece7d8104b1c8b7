import { PanelNotFound } from '@/components/shell/panel-not-found';

export default function DlqNotFound() {
  return (
    <PanelNotFound
      title="Dead-letter queue not found"
      text="No DLQ of the latest snapshot has this name."
      href="/dlq"
      label="All dead-letter queues"
    />
  );
}
