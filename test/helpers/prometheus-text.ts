/** One sample of Prometheus's text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

/** Parses the text a /metrics endpoint serves; throws on a line it cannot read. */
export function parseSamples(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    if (line === '' || line.startsWith('#')) return [];
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`unreadable metrics line: ${line}`);
    const [, name, labelText = '', value] = match;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    let consumed = 0;
    for (let label = LABEL.exec(labelText); label !== null; label = LABEL.exec(labelText)) {
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed = LABEL.lastIndex;
    }
    if (consumed !== labelText.length) throw new Error(`unreadable labels: ${line}`);
    return [{ name, labels, value: Number(value) }];
  });
}

/** The sum of the samples called `name` whose labels include every label of `where`. */
export function sumOf(
  samples: readonly Sample[],
  name: string,
  where: Readonly<Record<string, string>> = {},
): number {
  return samples
    .filter((s) => s.name === name)
    .filter((s) => Object.entries(where).every(([key, value]) => s.labels[key] === value))
    .reduce((total, s) => total + s.value, 0);
}
