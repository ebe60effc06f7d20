import { useState } from 'react';
import { Breadcrumb, Table, Tag, Typography } from 'antd';
import { api, unwrap, type Unit } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

/** The org tree below the account's unit, one level at a time. */
export default function Units() {
  const i18n = useI18n();
  const session = useSession();
  const [trail, setTrail] = useState<{ id: string; name: string }[]>([
    { id: session.me.unitId, name: session.unit?.name ?? session.me.unitId },
  ]);
  const at = trail[trail.length - 1];
  const { data, error } = useLoad(
    () => unwrap<Unit[] | { items: Unit[] }>(api.GET('/units/{id}/children', { params: { path: { id: at.id } } })),
    [at.id],
  );
  const rows = Array.isArray(data) ? data : (data?.items ?? []);
  return (
    <>
      <Typography.Title level={3}>{i18n.t('orgUnits')}</Typography.Title>
      <Breadcrumb
        style={{ marginBottom: 12 }}
        items={trail.map((u, i) => ({
          title: i < trail.length - 1 ? <a onClick={() => setTrail(trail.slice(0, i + 1))}>{u.name}</a> : u.name,
        }))}
      />
      <ProblemAlert error={error} />
      <Table<Unit>
        rowKey="id"
        dataSource={rows}
        columns={[
          { title: i18n.pick('代码', 'Code'), dataIndex: 'code' },
          {
            title: i18n.t('name'),
            dataIndex: 'name',
            render: (v, u) => <a onClick={() => setTrail([...trail, { id: u.id, name: u.name }])}>{v}</a>,
          },
          { title: i18n.pick('类型', 'Kind'), dataIndex: 'kind', render: (k) => <Tag>{k}</Tag> },
          { title: i18n.t('status'), dataIndex: 'status' },
        ]}
      />
    </>
  );
}
