/*
 * Name globs for clusters, groups, topics and queues: `*` is any run of characters, `?` one character,
 * everything else literal, case-sensitive as Kafka and SQS names are. Not a path matcher (picomatch and
 * friends stop `*` at `/` and skip leading dots), because group names such as `team/app` are not paths.
 */

const SPECIAL = /[\\^$.|+()[\]{}]/g;

export function globToRegExp(glob: string): RegExp {
  const source = [...glob]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(SPECIAL, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'su');
}

export function matchesGlob(glob: string, name: string): boolean {
  return globToRegExp(glob).test(name);
}
