import { useState } from 'react';
import { Segmented, Table, Tag, Typography } from 'antd';
import { nationalApi, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { CodeTag, useLabel, useLabelOptions } from '../lib/labels';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

/** A case of `GET /cross-province-transfers` (the national node; ID numbers come masked). */
interface HubCase {
  id: string;
  fromProvince: string;
  toProvince: string;
  idNumber: string | null;
  teacherName: string;
  toUnitCode: string;
  toUnitName: string;
  effectiveDate: string;
  step: 'at_sending_province' | 'at_receiving_province' | 'done';
  state: 'in_flight' | 'completed' | 'refused' | 'expired';
  reason: string | null;
  stepSince: string;
  expiresAt: string;
}
type Show = 'in_flight' | 'completed' | 'refused' | 'expired' | 'all';

/** The ministry follows cross-province transfers: which province each case waits for, and the settled ones. */
export default function CrossProvince() {
  const i18n = useI18n();
  const label = useLabel();
  const options = useLabelOptions();
  const [show, setShow] = useState<Show>('in_flight');
  const { data, error, loading } = useLoad(
    () =>
      unwrap(nationalApi.GET('/cross-province-transfers', { params: { query: { state: show } } })) as Promise<
        HubCase[]
      >,
    [show],
  );
  return (
    <>
      <Typography.Title level={3}>{i18n.t('crossProvince')}</Typography.Title>
      <ProblemAlert error={error} />
      <Segmented
        value={show}
        onChange={(v) => setShow(v as Show)}
        style={{ marginBottom: 12 }}
        options={[...options('crossProvinceState'), { value: 'all', label: i18n.pick('全部', 'All') }]}
      />
      <Table<HubCase>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        columns={[
          { title: i18n.t('name'), dataIndex: 'teacherName' },
          { title: i18n.t('idNumber'), dataIndex: 'idNumber' },
          {
            title: i18n.pick('调出省份', 'From'),
            dataIndex: 'fromProvince',
            render: (c: string) => label('province', c),
          },
          { title: i18n.pick('调入省份', 'To'), dataIndex: 'toProvince', render: (c: string) => label('province', c) },
          { title: i18n.pick('调入单位', 'Receiving unit'), dataIndex: 'toUnitName' },
          { title: i18n.pick('生效日期', 'Effective'), dataIndex: 'effectiveDate' },
          {
            title: i18n.pick('当前环节', 'Step'),
            dataIndex: 'step',
            render: (s: string) => <Tag>{label('hubStep', s)}</Tag>,
          },
          {
            title: i18n.t('status'),
            dataIndex: 'state',
            render: (s: string) => <CodeTag table="crossProvinceState" code={s} />,
          },
          { title: i18n.t('reason'), dataIndex: 'reason' },
        ]}
      />
    </>
  );
}
