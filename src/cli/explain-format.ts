import { ExplainQuery, Explanation } from '../cors/cors-explainer';
import { POLICY_SETTINGS } from '../cors/cors-policy.description';

/** The text form of an explanation: the verdict first, then why, then the evidence. */
export function formatExplanation(query: ExplainQuery, explanation: Explanation): string {
  const { decision, reason, status, route, policy, headers, notes } = explanation;
  const origins =
    query.origins.length === 0
      ? '(no Origin)'
      : query.origins.map((o) => `Origin: ${o}`).join(', ');
  const request = query.preflight
    ? `OPTIONS ${query.path} (preflight for ${query.method}${query.headers.length > 0 ? ` with ${query.headers.join(', ')}` : ''}), ${origins}`
    : `${query.method} ${query.path}${query.headers.length > 0 ? ` with ${query.headers.join(', ')}` : ''}, ${origins}`;
  const lines = [
    `${decision.toUpperCase()}: ${reason}`,
    '',
    `request   ${request}`,
    `route     ${route ?? '(none: no route matches this path)'}`,
    `status    ${status === null ? "the route handler's (e.g. 200, or 400 for a bad body)" : status}`,
    `policy    ${policy.name}`,
  ];
  const width = Math.max(...POLICY_SETTINGS.map((name) => name.length));
  const shown = POLICY_SETTINGS.map((name) => {
    const { value } = policy.settings[name];
    if (!Array.isArray(value)) return String(value);
    return value.length === 0 ? '(none)' : value.join(', ');
  });
  const valueWidth = Math.max(...shown.map((text) => text.length));
  POLICY_SETTINGS.forEach((name, i) => {
    const { source } = policy.settings[name];
    lines.push(`  ${name.padEnd(width)}  ${shown[i].padEnd(valueWidth)}  <- ${source}`);
  });
  lines.push('response headers (CORS)');
  const entries = Object.entries(headers);
  if (entries.length === 0) lines.push('  (none)');
  for (const [name, value] of entries) lines.push(`  ${name}: ${value}`);
  if (notes.length > 0) lines.push('notes');
  for (const note of notes) lines.push(`  - ${note}`);
  return `${lines.join('\n')}\n`;
}
