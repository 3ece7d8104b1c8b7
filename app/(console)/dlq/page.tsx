import type { Metadata } from 'next';
import { SectionSources } from '@/components/sources/section-sources';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';

export const metadata: Metadata = { title: 'Dead-letter queues' };

export default async function DlqPage() {
  await requirePageRole(pageRole('/dlq'), '/dlq');
  return (
    <SectionSources
      title="Dead-letter queues"
      description="DLQs are found by topic pattern on Kafka and by redrive policy on SQS."
    />
  );
}
