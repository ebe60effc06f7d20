import { Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

interface CustomField {
  key: string;
  subSet: string;
  zh: string;
  en: string;
  type: string;
  owner: string;
  status: string;
  version: number;
}

/** The province's custom indicators (Art. 11), current versions, retired ones included. */
export default function CustomFields() {
  const i18n = useI18n();
  const { data, error } = useLoad(() =>
    unwrap<CustomField[]>(api.GET('/custom-fields', { params: { query: { includeRetired: 'true' } } })),
  );
  return (
    <>
      <Typography.Title level={3}>{i18n.t('customFields')}</Typography.Title>
      <ProblemAlert error={error} />
      <Table<CustomField>
        rowKey="key"
        dataSource={data ?? []}
        columns={[
          { title: 'key', dataIndex: 'key' },
          { title: i18n.t('name'), key: 'n', render: (_, f) => i18n.pick(f.zh, f.en) },
          { title: i18n.pick('子集', 'Sub-set'), dataIndex: 'subSet' },
          { title: i18n.pick('类型', 'Type'), dataIndex: 'type' },
          { title: i18n.pick('维护方', 'Owner'), dataIndex: 'owner' },
          { title: i18n.t('version'), dataIndex: 'version' },
          {
            title: i18n.t('status'),
            dataIndex: 'status',
            render: (s) => <Tag color={s === 'active' ? 'green' : 'default'}>{s}</Tag>,
          },
        ]}
      />
    </>
  );
}
