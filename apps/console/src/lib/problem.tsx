import { Alert } from 'antd';
import type { FormInstance } from 'antd';
import { ApiProblem } from './api';
import { useI18n, type I18n } from './i18n';

/** The title of an API problem in the console's language (problem+json carries both). */
export function problemText(e: unknown, i18n: I18n): string {
  if (e instanceof ApiProblem) {
    const p = e.problem ?? {};
    const title = i18n.pick(p.titleZh, p.title) || `HTTP ${e.status}`;
    return p.detail && i18n.lang === 'en' ? `${title}: ${p.detail}` : title;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Puts the API's field errors (`errors[].path`, e.g. `basic.name` or `education[0].degree`) on the
 * form items they belong to; returns the errors no item shows.
 */
export function showFieldErrors(
  e: unknown,
  form: FormInstance,
  i18n: I18n,
  toName: (path: string) => (string | number)[] | null = (p) => p.split('.'),
): string[] {
  if (!(e instanceof ApiProblem) || !e.problem?.errors?.length) return [];
  const rest: string[] = [];
  const fields: { name: (string | number)[]; errors: string[] }[] = [];
  for (const fe of e.problem.errors) {
    const name = toName(fe.path);
    const msg = i18n.pick(fe.messageZh, fe.message);
    if (name && form.getFieldInstance(name) !== undefined) fields.push({ name, errors: [msg] });
    else rest.push(msg);
  }
  form.setFields(fields);
  return rest;
}

export function ProblemAlert({ error }: { error: unknown }) {
  const i18n = useI18n();
  if (!error) return null;
  const extra = error instanceof ApiProblem ? (error.problem?.errors ?? []) : [];
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={problemText(error, i18n)}
      description={
        extra.length ? (
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {extra.map((x, k) => (
              <li key={k}>{i18n.pick(x.messageZh, x.message)}</li>
            ))}
          </ul>
        ) : undefined
      }
      style={{ marginBottom: 16 }}
    />
  );
}
