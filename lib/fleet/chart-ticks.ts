/** Axis ticks the eye reads: whole minutes and hours on a time-lag axis, evenly spaced times. */

const SECOND_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400,
];

/** Ticks from 0 past `max` seconds, at most `count` steps of a readable length. */
export function secondTicks(max: number, count = 4): number[] {
  const top = Math.max(max, 1);
  const step = SECOND_STEPS.find((s) => s * count >= top) ?? Math.ceil(top / count / 86_400) * 86_400;
  const ticks: number[] = [];
  for (let t = 0; t < top + step; t += step) ticks.push(t);
  return ticks;
}

/** `count` + 1 evenly spaced times across a range, ends included. */
export function timeTicks(fromMs: number, toMs: number, count = 4): number[] {
  const step = (toMs - fromMs) / count;
  return Array.from({ length: count + 1 }, (_, i) => Math.round(fromMs + i * step));
}
