import { useState } from 'react';
import { App, Button, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { codeLabel, useCatalogue } from '../lib/catalogue';
import { useI18n } from '../lib/i18n';
import { CodeTag, useLabel } from '../lib/labels';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

interface UnitRef {
  id: string;
  code: string;
  name: string;
}
/** A case of `GET /transfers?waiting=true` as the API answers it. */
interface Transfer {
  id: string;
  kind: string;
  teacher: { id: string; name: string };
  from: UnitRef | null;
  to: UnitRef | null;
  effectiveDate: string;
  reason: string;
  rotationKind: string | null;
  state: string;
  stateSince: string;
  waitingFor: { side: string; level: string } | null;
  overdue: boolean;
  mayApprove: boolean;
  mayRefuse: boolean;
  mayWithdraw: boolean;
}
type Step = 'approve' | 'refuse' | 'withdraw';

/** Transfers and exchange rotations waiting for the caller's step; the buttons follow the API's hints. */
export default function Transfers() {
  const i18n = useI18n();
  const { message } = App.useApp();
  // What waits for my step (default), or every case in and out of my subtree (where an applicant withdraws).
  const [show, setShow] = useState<'waiting' | 'all'>('waiting');
  const { data, error, reload, setError, loading } = useLoad(
    () =>
      unwrap<{ items: Transfer[] }>(
        api.GET('/transfers', { params: { query: show === 'waiting' ? { waiting: 'true' } : {} } }),
      ),
    [show],
  );
  const [acting, setActing] = useState<{ id: string; step: Step } | null>(null);
  const [reason, setReason] = useState('');
  const act = async () => {
    const { id, step } = acting!;
    const opts = { params: { path: { id } }, body: reason.trim() ? { reason: reason.trim() } : {} };
    try {
      await unwrap(
        step === 'approve'
          ? api.POST('/transfers/{id}/approve', opts)
          : step === 'refuse'
            ? api.POST('/transfers/{id}/refuse', opts)
            : api.POST('/transfers/{id}/withdraw', opts),
      );
      message.success(i18n.t('done'));
      await reload();
    } catch (e) {
      setError(e);
    }
    setActing(null);
    setReason('');
  };
  const label = useLabel();
  const catalogue = useCatalogue();
  const side = (w: Transfer['waitingFor']) => (w ? `${label('side', w.side)} · ${label('level', w.level)}` : '—');
  const titles: Record<Step, string> = {
    approve: i18n.t('approve'),
    refuse: i18n.pick('不同意', 'Refuse'),
    withdraw: i18n.pick('撤回申请', 'Withdraw'),
  };
  return (
    <>
      <Typography.Title level={3}>{i18n.t('transfers')}</Typography.Title>
      <ProblemAlert error={error} />
      <Segmented
        value={show}
        onChange={(v) => setShow(v as 'waiting' | 'all')}
        style={{ marginBottom: 12 }}
        options={[
          { value: 'waiting', label: i18n.pick('待我处理', 'Waiting for me') },
          { value: 'all', label: i18n.pick('全部', 'All') },
        ]}
      />
      <Table<Transfer>
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        rowClassName={(r) => (r.overdue ? 'overdue-row' : '')}
        onRow={(r) => ({ style: r.overdue ? { background: '#fff1f0' } : undefined })}
        columns={[
          { title: i18n.t('name'), key: 't', render: (_, r) => r.teacher.name },
          {
            title: i18n.pick('类型', 'Kind'),
            key: 'kind',
            render: (_, r) => (
              <>
                <CodeTag table="transferKind" code={r.kind} />
                {r.rotationKind && <Tag>{codeLabel(catalogue, 'rotation-kind', r.rotationKind, i18n.lang)}</Tag>}
              </>
            ),
          },
          { title: i18n.pick('调出单位', 'From'), key: 'f', render: (_, r) => r.from?.name ?? '—' },
          { title: i18n.pick('调入单位', 'To'), key: 'to', render: (_, r) => r.to?.name ?? '—' },
          { title: i18n.pick('生效日期', 'Effective'), dataIndex: 'effectiveDate' },
          {
            title: i18n.t('status'),
            dataIndex: 'state',
            render: (s: string) => <CodeTag table="transferState" code={s} />,
          },
          { title: i18n.pick('等待', 'Waiting for'), key: 'w', render: (_, r) => side(r.waitingFor) },
          {
            title: i18n.t('overdue'),
            dataIndex: 'overdue',
            render: (o: boolean) => (o ? <Tag color="red">{i18n.t('overdue')}</Tag> : null),
          },
          {
            title: i18n.t('actions'),
            key: 'a',
            render: (_, r) => (
              <Space>
                {r.mayApprove && (
                  <Button size="small" type="primary" onClick={() => setActing({ id: r.id, step: 'approve' })}>
                    {titles.approve}
                  </Button>
                )}
                {r.mayRefuse && (
                  <Button size="small" danger onClick={() => setActing({ id: r.id, step: 'refuse' })}>
                    {titles.refuse}
                  </Button>
                )}
                {r.mayWithdraw && (
                  <Button size="small" onClick={() => setActing({ id: r.id, step: 'withdraw' })}>
                    {titles.withdraw}
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
        okButtonProps={{ disabled: acting?.step === 'refuse' && !reason.trim() }}
        okText={i18n.t('confirm')}
        cancelText={i18n.t('cancel')}
      >
        <label htmlFor="transfer-reason">
          {i18n.t('reason')}
          {acting?.step === 'refuse' ? '' : i18n.pick('（可选）', ' (optional)')}
        </label>
        <Input.TextArea id="transfer-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      </Modal>
    </>
  );
}
