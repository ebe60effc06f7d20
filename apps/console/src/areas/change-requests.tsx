import { useState } from 'react';
import { App, Button, Input, Modal, Select, Space, Table, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { CodeTag } from '../lib/labels';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

interface ChangeRequest {
  id: string;
  teacherId: string;
  state: string;
  reason: string;
  changes: unknown;
  requestedAt: string;
  mayApprove?: boolean;
  mayReject?: boolean;
}

/** Change requests to reported information: the school files them, the supervising department decides. */
export default function ChangeRequests() {
  const i18n = useI18n();
  const { message } = App.useApp();
  const [state, setState] = useState('pending');
  const { data, error, reload, setError } = useLoad(
    () =>
      unwrap<ChangeRequest[] | { items: ChangeRequest[] }>(
        api.GET('/change-requests', { params: { query: { state: state as 'pending' } } }),
      ),
    [state],
  );
  const [deciding, setDeciding] = useState<{ id: string; action: 'approve' | 'reject' } | null>(null);
  const [reason, setReason] = useState('');
  const rows = Array.isArray(data) ? data : (data?.items ?? []);
  const decide = async () => {
    try {
      await unwrap(
        deciding!.action === 'approve'
          ? api.POST('/change-requests/{id}/approve', { params: { path: { id: deciding!.id } } })
          : api.POST('/change-requests/{id}/reject', { params: { path: { id: deciding!.id } }, body: { reason } }),
      );
      message.success(i18n.t('done'));
      setDeciding(null);
      setReason('');
      await reload();
    } catch (e) {
      setError(e);
      setDeciding(null);
    }
  };
  return (
    <>
      <Typography.Title level={3}>{i18n.t('changeRequests')}</Typography.Title>
      <ProblemAlert error={error} />
      <Select
        aria-label={i18n.t('status')}
        value={state}
        onChange={setState}
        style={{ width: 200, marginBottom: 12 }}
        options={['pending', 'approved', 'rejected', 'stale'].map((s) => ({ value: s, label: s }))}
      />
      <Table<ChangeRequest>
        rowKey="id"
        dataSource={rows}
        columns={[
          {
            title: i18n.pick('档案', 'Record'),
            dataIndex: 'teacherId',
            render: (v) => <a href={`/console/teachers/${v}`}>{String(v).slice(0, 8)}</a>,
          },
          { title: i18n.t('reason'), dataIndex: 'reason' },
          {
            title: i18n.t('status'),
            dataIndex: 'state',
            render: (s) => <CodeTag table="changeRequestState" code={s} />,
          },
          {
            title: i18n.pick('变更内容', 'Changes'),
            dataIndex: 'changes',
            render: (c) => <code style={{ fontSize: 12 }}>{JSON.stringify(c).slice(0, 120)}</code>,
          },
          {
            title: i18n.t('actions'),
            key: 'a',
            render: (_, r) =>
              r.state === 'pending' && (
                <Space>
                  <Button size="small" type="primary" onClick={() => setDeciding({ id: r.id, action: 'approve' })}>
                    {i18n.t('approve')}
                  </Button>
                  <Button size="small" danger onClick={() => setDeciding({ id: r.id, action: 'reject' })}>
                    {i18n.pick('驳回', 'Reject')}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={!!deciding}
        onCancel={() => setDeciding(null)}
        onOk={decide}
        title={
          deciding?.action === 'approve'
            ? i18n.pick('通过并应用变更', 'Approve and apply')
            : i18n.pick('驳回', 'Reject')
        }
        okButtonProps={{ disabled: deciding?.action === 'reject' && !reason.trim() }}
        okText={i18n.t('confirm')}
        cancelText={i18n.t('cancel')}
      >
        {deciding?.action === 'reject' ? (
          <>
            <label htmlFor="decision-reason">{i18n.t('reason')}</label>
            <Input.TextArea id="decision-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </>
        ) : (
          i18n.pick(
            '变更将写入已报送的档案并重新报送。',
            'The change is applied to the reported record, which is reported again.',
          )
        )}
      </Modal>
    </>
  );
}
