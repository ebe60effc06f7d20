import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Descriptions, Form, Input, Modal, Select, Space, Tag, Timeline, Typography } from 'antd';
import type { ProvincialPaths } from '@tmis/api-client';
import { api, unwrap } from './api';
import type { Catalogue } from './catalogue';
import { useI18n, type I18n } from './i18n';
import { ProblemAlert } from './problem';

export interface ReviewView {
  teacherId: string;
  state: string;
  recordVersion: number;
  reportedVersion: number | null;
  maySubmit: boolean;
  mayApprove: boolean;
  mayReturn: boolean;
  actions: ReviewAction[];
  trail: {
    id: string;
    at: string;
    actorRole: string;
    action: string;
    toState: string;
    reason: string | null;
    fieldReasons: Record<string, string> | null;
    participants: string[] | null;
    principal: string | null;
  }[];
}

type ReviewAction = ProvincialPaths['/teachers/{id}/review/{action}']['post']['parameters']['path']['action'];

const STATES: Record<string, [string, string, string]> = {
  draft: ['草稿', 'Draft', 'default'],
  submitted: ['已提交', 'Submitted', 'processing'],
  returned: ['已退回', 'Returned', 'error'],
  school_approved: ['学校已审核', 'School approved', 'cyan'],
  reported: ['已报送', 'Reported', 'success'],
};
const ACTIONS: Record<string, [string, string]> = {
  submit: ['提交审核', 'Submit for review'],
  'school-approve': ['学校审核通过', 'School approval'],
  'school-return': ['学校退回', 'Return (school)'],
  'department-approve': ['主管部门审核通过', 'Department approval'],
  'department-return': ['主管部门退回', 'Return (department)'],
};

export function ReviewStateTag({ state }: { state: string }) {
  const i18n = useI18n();
  const s = STATES[state] ?? [state, state, 'default'];
  return <Tag color={s[2]}>{i18n.pick(s[0], s[1])}</Tag>;
}

export const fieldLabel = (cat: Catalogue | null, path: string, i18n: I18n) => {
  const [ss, key] = path
    .replace(/^record\./, '')
    .replace(/\[\d+\]/, '')
    .split('.');
  const s = cat?.subSets.find((x) => x.key === ss);
  const f = s?.fields.find((x) => x.key === key);
  return s && f ? `${i18n.pick(s.zh, s.en)} · ${i18n.pick(f.zh, f.en)}` : path;
};

/**
 * The review state of a record, the steps the caller may take now (from the API's `actions` and
 * `mayX` hints, never guessed) and the trail with the returns' field-level reasons.
 */
export function ReviewPanel({
  teacherId,
  version,
  catalogue,
  onChanged,
}: {
  teacherId: string;
  version: number;
  catalogue: Catalogue | null;
  onChanged: () => void;
}) {
  const i18n = useI18n();
  const { message } = App.useApp();
  const [view, setView] = useState<ReviewView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<ReviewAction | null>(null);
  const [form] = Form.useForm();
  const load = useCallback(
    () =>
      (unwrap(api.GET('/teachers/{id}/review', { params: { path: { id: teacherId } } })) as Promise<ReviewView>).then(
        setView,
        setError,
      ),
    [teacherId],
  );
  useEffect(() => void load(), [load, version]);

  const act = async (action: ReviewAction, extra: Record<string, unknown> = {}) => {
    setError(null);
    try {
      await unwrap(
        api.POST('/teachers/{id}/review/{action}', {
          params: { path: { id: teacherId, action } },
          body: { version, ...extra },
        }),
      );
      message.success(i18n.t('done'));
      setDialog(null);
      form.resetFields();
      await load();
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  const fieldOptions = (catalogue?.subSets ?? []).flatMap((s) =>
    s.fields.map((f) => ({ value: `${s.key}.${f.key}`, label: `${i18n.pick(s.zh, s.en)} · ${i18n.pick(f.zh, f.en)}` })),
  );
  const lastReturn = [...(view?.trail ?? [])].reverse().find((e) => e.action.endsWith('return'));

  return (
    <Card title={i18n.t('review')} size="small" data-testid="review-panel">
      <ProblemAlert error={error} />
      {view && (
        <>
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={i18n.t('reviewState')}>
              <span data-testid="review-state">
                <ReviewStateTag state={view.state} />
              </span>
            </Descriptions.Item>
          </Descriptions>
          {view.state === 'returned' && lastReturn && (
            <div role="note" style={{ background: '#fff2f0', padding: 12, borderRadius: 6, marginBottom: 12 }}>
              <Typography.Text strong>{i18n.t('returned')}</Typography.Text>
              <div>
                {i18n.t('reason')}: {lastReturn.reason}
              </div>
              {lastReturn.fieldReasons && (
                <ul data-testid="field-reasons" style={{ margin: '4px 0 0', paddingLeft: 18 }}>
                  {Object.entries(lastReturn.fieldReasons).map(([p, r]) => (
                    <li key={p}>
                      <b>{fieldLabel(catalogue, p, i18n)}</b>: {r}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <Space wrap style={{ marginBottom: 12 }}>
            {view.actions.map((a) => (
              <Button
                key={a}
                type={a.endsWith('return') ? 'default' : 'primary'}
                danger={a.endsWith('return')}
                onClick={() => (a === 'submit' || a === 'department-approve' ? void act(a) : setDialog(a))}
              >
                {i18n.pick(...(ACTIONS[a] ?? [a, a]))}
              </Button>
            ))}
          </Space>
          <Timeline
            items={view.trail.map((e) => ({
              children: (
                <div>
                  <b>{i18n.pick(...(ACTIONS[e.action] ?? [e.action, e.action]))}</b>{' '}
                  <Typography.Text type="secondary">{new Date(e.at).toLocaleString()}</Typography.Text>
                  {e.reason && <div>{e.reason}</div>}
                  {e.participants && (
                    <div>
                      {e.participants.join('、')} · {e.principal}
                    </div>
                  )}
                </div>
              ),
            }))}
          />
        </>
      )}
      <Modal
        open={dialog !== null}
        title={dialog ? i18n.pick(...(ACTIONS[dialog] ?? [dialog, dialog])) : ''}
        onCancel={() => setDialog(null)}
        onOk={() => form.submit()}
        okText={i18n.t('confirm')}
        cancelText={i18n.t('cancel')}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          name="review-step"
          onFinish={(v: { participants?: string; principal?: string; reason?: string; fields?: string[] }) =>
            dialog === 'school-approve'
              ? act(dialog, {
                  participants: (v.participants ?? '')
                    .split(/[,，、]/)
                    .map((s) => s.trim())
                    .filter(Boolean),
                  principal: v.principal,
                })
              : act(dialog!, {
                  reason: v.reason,
                  ...(v.fields?.length
                    ? { fieldReasons: Object.fromEntries(v.fields.map((f) => [f, v.reason!])) }
                    : {}),
                })
          }
        >
          {dialog === 'school-approve' ? (
            <>
              <Form.Item name="participants" label={i18n.t('participants')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
              <Form.Item name="principal" label={i18n.t('principal')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
            </>
          ) : (
            <>
              <Form.Item name="reason" label={i18n.t('reason')} rules={[{ required: true }]}>
                <Input.TextArea rows={3} />
              </Form.Item>
              <Form.Item name="fields" label={i18n.t('fieldReasons')}>
                <Select mode="multiple" options={fieldOptions} optionFilterProp="label" />
              </Form.Item>
            </>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
