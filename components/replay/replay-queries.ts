/** The replay pages' react-query keys, each with the GET route that answers it. */
export const replayQueries = {
  job: (id: string) => ({ queryKey: ['replay', id] as const, url: `/api/replays/${encodeURIComponent(id)}` }),
};

/** How often a job still moving is polled. */
export const REPLAY_POLL_MS = 1_000;
