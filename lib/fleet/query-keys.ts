import type { BrokerKind } from './fleet-view';
import type { HistoryMetric, HistoryRange } from './history-query';

/*
 * The one factory for the fleet pages' react-query keys, each with the GET route that answers it, so a
 * key and its address cannot drift apart.
 */

export interface FleetQuery {
  queryKey: readonly unknown[];
  url: string;
}

const seg = encodeURIComponent;

export const fleetQueries = {
  all: ['fleet'] as const,
  overview: (): FleetQuery => ({ queryKey: ['fleet', 'overview'], url: '/api/fleet/overview' }),
  groups: (): FleetQuery => ({ queryKey: ['fleet', 'groups'], url: '/api/fleet/groups' }),
  group: (cluster: string, groupId: string): FleetQuery => ({
    queryKey: ['fleet', 'group', cluster, groupId],
    url: `/api/fleet/groups/${seg(cluster)}/${seg(groupId)}`,
  }),
  dlqs: (): FleetQuery => ({ queryKey: ['fleet', 'dlqs'], url: '/api/fleet/dlqs' }),
  dlq: (kind: BrokerKind, source: string, name: string): FleetQuery => ({
    queryKey: ['fleet', 'dlq', kind, source, name],
    url: `/api/fleet/dlqs/${kind}/${seg(source)}/${seg(name)}`,
  }),
  history: (series: string, metric: HistoryMetric, range: HistoryRange): FleetQuery => ({
    queryKey: ['history', series, metric, range],
    url: `/api/history?${new URLSearchParams({ series, metric, range })}`,
  }),
};
