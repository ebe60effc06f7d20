import { useState } from 'react';
import { App, Button, Input, Modal, Select, Space, Table, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { CodeTag, useLabel } from '../lib/labels';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

type AppState = 'applied' | 'school_confirmed' | 'returned' | 'registered' | 'deferred' | 'not_passed';
/** An application of `GET /registration/applications` as the API answers it. */
interface Application {
  id: string;
  teacherId: string;
  state: AppState;
  cycle: { start: string; end: string };
  appliedAs: string;
  decisionReason: string | null;
  version: number;
  eligibility: { outcome: string; missing: { key: string; en: string; zh: string }[] } | null;
  mayConfirm: boolean;
  mayReturn: boolean;
  mayDecide: boolean;
}
type Step = 'confirm' | 'return' | 'decide';

/** Registration applications: the school confirms or returns them, the registration authority decides. */
export default function Registrations() {
  const i18n = useI18n();
  const { message } = App.useApp();
  const [state, setState] = useState<AppState>('applied');
  const { data, error, reload, setError, loading } = useLoad(
    () => unwrap<Application[]>(api.GET('/registration/applications', { params: { query: { state } } })),
    [state],
  );
  const [acting, setActing] = useState<{ a: Application; step: Step } | null>(null);
  const [reason, setReason] = useState('');
  const act = async () => {
    const { a, step } = acting!;
    const path = { id: a.id };
    try {
      await unwrap(
        step === 'confirm'
          ? api.POST('/registration/applications/{id}/school-confirm', {
              params: { path },
              body: { version: a.version },
            })
          : step === 'return'
            ? api.POST('/registration/applications/{id}/school-return', {
                params: { path },
                body: { version: a.version, reason: reason.trim() },
              })
            : api.POST('/registration/applications/{id}/decide', { params: { path }, body: { version: a.version } }),
      );
      message.success(i18n.t('done'));
      await reload();
    } catch (e) {
      setError(e);
    }
    setActing(null);
    setReason('');
  };
  const titles: Record<Step, string> = {
    confirm: i18n.pick('学校确认', 'Confirm'),
    return: i18n.t('returnIt'),
    decide: i18n.pick('作出注册决定', 'Decide'),
  };
  const label = useLabel();
  return (
    <>
      <Typography.Title level={3}>{i18n.t('registrations')}</Typography.Title>
      <ProblemAlert error={error} />
      <Select<AppState>
        aria-label={i18n.t('status')}
        value={state}
        onChange={setState}
        style={{ width: 200, marginBottom: 12 }}
        options={(['applied', 'school_confirmed', 'returned', 'registered', 'deferred', 'not_passed'] as const).map(
          (s) => ({ value: s, label: label('registrationState', s) }),
        )}
      />
      <Table<Application>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        columns={[
          {
            title: i18n.pick('档案', 'Record'),
            dataIndex: 'teacherId',
            render: (v: string) => <a href={`/console/teachers/${v}`}>{v.slice(0, 8)}</a>,
          },
          { title: i18n.pick('周期', 'Cycle'), key: 'c', render: (_, a) => `${a.cycle.start} – ${a.cycle.end}` },
          {
            title: i18n.t('status'),
            dataIndex: 'state',
            render: (s: string) => <CodeTag table="registrationState" code={s} />,
          },
          {
            title: i18n.pick('资格审查结果', 'Eligibility'),
            key: 'e',
            render: (_, a) =>
              a.eligibility ? (
                <>
                  <CodeTag table="eligibility" code={a.eligibility.outcome} />
                  {a.eligibility.missing.map((m) => i18n.pick(m.zh, m.en)).join('；')}
                </>
              ) : (
                '—'
              ),
          },
          { title: i18n.t('reason'), dataIndex: 'decisionReason' },
          {
            title: i18n.t('actions'),
            key: 'a',
            render: (_, a) => (
              <Space>
                {a.mayConfirm && (
                  <Button size="small" type="primary" onClick={() => setActing({ a, step: 'confirm' })}>
                    {titles.confirm}
                  </Button>
                )}
                {a.mayReturn && (
                  <Button size="small" danger onClick={() => setActing({ a, step: 'return' })}>
                    {titles.return}
                  </Button>
                )}
                {a.mayDecide && (
                  <Button size="small" type="primary" onClick={() => setActing({ a, step: 'decide' })}>
                    {titles.decide}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={!!acting}
        onCancel={() => setActing(null)}
        onOk={act}
        title={acting ? titles[acting.step] : ''}
        okButtonProps={{ disabled: acting?.step === 'return' && !reason.trim() }}
        okText={i18n.t('confirm')}
        cancelText={i18n.t('cancel')}
      >
        {acting?.step === 'return' ? (
          <>
            <label htmlFor="registration-reason">{i18n.t('reason')}</label>
            <Input.TextArea id="registration-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </>
        ) : acting?.step === 'decide' ? (
          i18n.pick(
            `按资格审查结果（${label('eligibility', acting.a.eligibility?.outcome)}）作出决定，并写入档案。`,
            `Decide as the computed eligibility says (${label('eligibility', acting.a.eligibility?.outcome)}); the result is written into the record.`,
          )
        ) : (
          i18n.pick('确认档案事实无误。', 'Confirm the facts of the record.')
        )}
      </Modal>
    </>
  );
}
