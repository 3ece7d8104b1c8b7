import 'server-only';
import { sql } from 'kysely';
import type { ReplayItemStatus } from '@/lib/replay/replay-job';
import type { MessageLocation } from '@/server/brokers/dead-letter-source';
import type { Store } from '@/server/store/db';

/*
 * A run's writes of its items' statuses: a batch recorded as a unit, in as few statements as its
 * shape allows (replay-store.ts holds the rest of a job's rows).
 */

export interface ItemUpdate {
  idx: number;
  status: ReplayItemStatus;
  sent_at?: string;
  landed?: MessageLocation;
  error?: string;
}

/**
 * Sets many items of a job at once (each its own status, and its own landing, time or error where
 * given; what is not given is kept): a batch is recorded as a unit, and a crash leaves all of it or
 * none. A run's writes are a few runs of consecutive places that share a status (a batch sent, the
 * next one sending): each run is one range statement; anything else is one statement of every item.
 */
export async function setItemsStatus(
  store: Store,
  jobId: string,
  updates: readonly ItemUpdate[],
): Promise<void> {
  if (updates.length === 0) return;
  const rows = updates.map((u) => ({
    idx: u.idx,
    status: u.status,
    sent_at: u.sent_at ?? null,
    landed: u.landed ? JSON.stringify(u.landed) : null,
    error: u.error ?? null,
  }));
  const runs = runsOf(rows);
  if (runs.length > MAX_RANGE_RUNS) {
    await (store.dialect === 'postgres' ? postgresUpdate(jobId, rows) : sqliteUpdate(jobId, rows)).execute(
      store.db,
    );
    return;
  }
  const [only] = runs;
  if (only && runs.length === 1) {
    await rangeUpdate(store, jobId, only).execute(store.db);
    return;
  }
  if (store.dialect === 'postgres') {
    // One statement, one round trip: each run an update in its own WITH, all or none applied.
    const parts = runs.map((run, i) => sql`${sql.raw(`r${i}`)} as (${rangeUpdate(store, jobId, run)})`);
    await sql`with ${sql.join(parts)} select 1`.execute(store.db);
    return;
  }
  await store.db.transaction().execute(async (tx) => {
    for (const run of runs) await rangeUpdate(store, jobId, run).execute(tx);
  });
}

type ItemRow = {
  idx: number;
  status: ReplayItemStatus;
  sent_at: string | null;
  landed: string | null;
  error: string | null;
};

/** Consecutive places sharing status, time and error, each with a landing or none without. */
type Run = { lo: number; hi: number; first: ItemRow; landed: string[] | null };

/** More runs than this in one write: not a run's batches but scattered items, written item by item. */
const MAX_RANGE_RUNS = 4;

function runsOf(rows: readonly ItemRow[]): Run[] {
  const runs: Run[] = [];
  let run: Run | null = null;
  for (const row of rows) {
    const joins =
      run !== null &&
      row.idx === run.hi + 1 &&
      row.status === run.first.status &&
      row.sent_at === run.first.sent_at &&
      row.error === run.first.error &&
      (row.landed === null) === (run.landed === null);
    if (run && joins) {
      run.hi = row.idx;
      if (row.landed !== null) run.landed?.push(row.landed);
      continue;
    }
    run = { lo: row.idx, hi: row.idx, first: row, landed: row.landed === null ? null : [row.landed] };
    runs.push(run);
    if (runs.length > MAX_RANGE_RUNS) return runs;
  }
  return runs;
}

/** One run: a range of the primary key, its landings (if any) by position in the run. */
function rangeUpdate(store: Store, jobId: string, run: Run) {
  const { lo, hi, first, landed } = run;
  const set = sql`status = ${first.status}, sent_at = coalesce(${first.sent_at}, sent_at),
    error = coalesce(${first.error}, error)`;
  if (landed === null) {
    return sql`update replay_items set ${set} where job_id = ${jobId} and idx between ${lo} and ${hi}`;
  }
  if (store.dialect === 'postgres') {
    return sql`update replay_items as i set ${set}, landed = v.l
      from unnest(${landed}::text[]) with ordinality as v(l, n)
      where i.job_id = ${jobId} and i.idx between ${lo} and ${hi} and i.idx = ${lo} + v.n - 1`;
  }
  // Materialized, then looked up by the primary key (see sqliteUpdate).
  return sql`with v as materialized (select key + ${lo} as idx, value as l from json_each(${JSON.stringify(landed)}))
    update replay_items set ${set}, landed = v.l
    from v where replay_items.job_id = ${jobId} and replay_items.idx = v.idx`;
}

/**
 * PostgreSQL: one text[] (integer[]) parameter per column, unnested and joined by idx; the idx range
 * keeps the join to the batch's own index entries rather than the job's every row.
 */
function postgresUpdate(jobId: string, rows: ItemRow[]) {
  const column = <K extends keyof ItemRow>(name: K) => rows.map((r) => r[name]);
  const idxs = column('idx');
  const lo = idxs.reduce((a, b) => Math.min(a, b));
  const hi = idxs.reduce((a, b) => Math.max(a, b));
  return sql`update replay_items as i set status = v.s, sent_at = coalesce(v.t, i.sent_at),
    landed = coalesce(v.l, i.landed), error = coalesce(v.e, i.error)
    from unnest(${idxs}::integer[], ${column('status')}::text[], ${column('sent_at')}::text[],
      ${column('landed')}::text[], ${column('error')}::text[]) as v(idx, s, t, l, e)
    where i.job_id = ${jobId} and i.idx between ${lo} and ${hi}
      and i.idx = v.idx`;
}

/**
 * SQLite: the rows as one JSON parameter, materialized, each looked up by the primary key. A range on
 * idx, or json_each joined directly, makes its planner scan the rows for every item instead.
 */
function sqliteUpdate(jobId: string, rows: ItemRow[]) {
  const json = JSON.stringify(rows.map((r) => [r.idx, r.status, r.sent_at, r.landed, r.error]));
  return sql`with v as materialized (select value ->> 0 as idx, value ->> 1 as s, value ->> 2 as t,
      value ->> 3 as l, value ->> 4 as e from json_each(${json}))
    update replay_items set status = v.s, sent_at = coalesce(v.t, replay_items.sent_at),
      landed = coalesce(v.l, replay_items.landed), error = coalesce(v.e, replay_items.error)
    from v where replay_items.job_id = ${jobId} and replay_items.idx = v.idx`;
}

export async function setItemStatus(
  store: Store,
  jobId: string,
  idx: number,
  status: ReplayItemStatus,
  extra: { sent_at?: string; landed?: MessageLocation; error?: string } = {},
): Promise<void> {
  await store.db
    .updateTable('replay_items')
    .set({
      status,
      ...(extra.sent_at !== undefined ? { sent_at: extra.sent_at } : {}),
      ...(extra.landed !== undefined ? { landed: JSON.stringify(extra.landed) } : {}),
      ...(extra.error !== undefined ? { error: extra.error } : {}),
    })
    .where('job_id', '=', jobId)
    .where('idx', '=', idx)
    .execute();
}
