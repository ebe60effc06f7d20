import { useState } from 'react';
import { App, Breadcrumb, Button, Checkbox, Form, Input, Modal, Select, Space, Table, Typography } from 'antd';
import { api, unwrap, type Unit } from '../lib/api';
import { useCatalogue } from '../lib/catalogue';
import { useI18n } from '../lib/i18n';
import { CodeTag, useLabelOptions } from '../lib/labels';
import { ProblemAlert, showFieldErrors } from '../lib/problem';
import { useSession } from '../lib/session';
import { UnitPicker } from '../lib/unit-picker';
import { useLoad } from '../lib/use-load';

/** A unit as the API answers it (code-table attributes come labelled). */
type UnitRow = Omit<Unit, 'schoolType'> & {
  version: number;
  closedOn: string | null;
  schoolType: { code: string; zh: string; en: string } | null;
};
/** What may be created under a unit of each kind (the API checks it again). */
const CHILD_KINDS: Record<string, string[]> = {
  ministry: [],
  province: ['city'],
  city: ['county', 'school'],
  county: ['school'],
  school: ['department'],
};
type Editing =
  { op: 'create' } | { op: 'rename'; unit: UnitRow } | { op: 'move'; unit: UnitRow } | { op: 'close'; unit: UnitRow };

/** The org tree below the account's unit, one level at a time: create, rename, move and close units. */
export default function Units() {
  const i18n = useI18n();
  const session = useSession();
  const catalogue = useCatalogue();
  const options = useLabelOptions();
  const { message } = App.useApp();
  const [trail, setTrail] = useState<{ id: string; name: string; kind: string }[]>([
    { id: session.me.unitId, name: session.unit?.name ?? session.me.unitId, kind: session.unit?.kind ?? '' },
  ]);
  const [showClosed, setShowClosed] = useState(false);
  const at = trail[trail.length - 1];
  const { data, error, reload, loading } = useLoad(
    () =>
      unwrap<UnitRow[]>(
        api.GET('/units/{id}/children', {
          params: { path: { id: at.id }, query: showClosed ? { includeInactive: 'true' } : {} },
        }),
      ),
    [at.id, showClosed],
  );
  const [editing, setEditing] = useState<Editing | null>(null);
  const [form] = Form.useForm();
  const mayManage = session.me.role === 'sysadmin' || session.me.role === 'info_admin';
  const childKinds = CHILD_KINDS[at.kind] ?? [];
  const codeOptions = (table: string) =>
    (catalogue?.codeTables.find((t) => t.key === table)?.entries ?? []).map((e) => ({
      value: e.code,
      label: `${e.code} ${i18n.pick(e.zh, e.en)}`,
    }));
  const [formError, setFormError] = useState<unknown>(null);
  const open = (e: Editing) => {
    form.resetFields();
    if (e.op === 'create') form.setFieldsValue({ kind: childKinds[0] });
    if (e.op === 'rename') form.setFieldsValue({ name: e.unit.name });
    if (e.op === 'close') form.setFieldsValue({ closedOn: new Date().toISOString().slice(0, 10) });
    setFormError(null);
    setEditing(e);
  };
  const save = async (v: Record<string, string>) => {
    const e = editing!;
    try {
      if (e.op === 'create')
        await unwrap(
          api.POST('/units', {
            body: {
              kind: v.kind as 'school',
              parentId: at.id,
              name: v.name,
              ...(v.code ? { code: v.code } : {}),
              ...(v.schoolType ? { schoolType: v.schoolType as '21' } : {}),
              ...(v.urbanRural ? { urbanRural: v.urbanRural as '111' } : {}),
              ...(v.sponsor ? { sponsor: v.sponsor as '1' } : {}),
            },
          }),
        );
      else if (e.op === 'rename')
        await unwrap(
          api.PATCH('/units/{id}', {
            params: { path: { id: e.unit.id } },
            body: { version: e.unit.version, name: v.name },
          }),
        );
      else if (e.op === 'move')
        await unwrap(
          api.POST('/units/{id}/move', {
            params: { path: { id: e.unit.id } },
            body: { version: e.unit.version, newParentId: v.newParentId },
          }),
        );
      else
        await unwrap(
          api.POST('/units/{id}/close', {
            params: { path: { id: e.unit.id } },
            body: { version: e.unit.version, closedOn: v.closedOn },
          }),
        );
      message.success(i18n.t('done'));
      setEditing(null);
      setFormError(null);
      await reload();
    } catch (err) {
      // Field errors at their fields; the rest (e.g. a stale version) above the form, in the dialog.
      showFieldErrors(err, form, i18n);
      setFormError(err);
    }
  };
  const titles = {
    create: i18n.pick('新建下级单位', 'New unit below'),
    rename: i18n.pick('更名', 'Rename'),
    move: i18n.pick('调整隶属关系', 'Move under another unit'),
    close: i18n.pick('撤销单位', 'Close the unit'),
  };
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3}>{i18n.t('orgUnits')}</Typography.Title>
        <Space>
          <Checkbox checked={showClosed} onChange={(e) => setShowClosed(e.target.checked)}>
            {i18n.pick('含已撤销、已合并单位', 'Include closed and merged units')}
          </Checkbox>
          {mayManage && childKinds.length > 0 && (
            <Button type="primary" onClick={() => open({ op: 'create' })}>
              {titles.create}
            </Button>
          )}
        </Space>
      </Space>
      <Breadcrumb
        style={{ marginBottom: 12 }}
        items={trail.map((u, i) => ({
          title: i < trail.length - 1 ? <a onClick={() => setTrail(trail.slice(0, i + 1))}>{u.name}</a> : u.name,
        }))}
      />
      <ProblemAlert error={error} />
      <Table<UnitRow>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        columns={[
          { title: i18n.pick('代码', 'Code'), dataIndex: 'code' },
          {
            title: i18n.pick('名称', 'Name'),
            dataIndex: 'name',
            render: (v, u) => <a onClick={() => setTrail([...trail, { id: u.id, name: u.name, kind: u.kind }])}>{v}</a>,
          },
          { title: i18n.pick('类型', 'Kind'), dataIndex: 'kind', render: (k) => <CodeTag table="unitKind" code={k} /> },
          {
            title: i18n.pick('学校类型', 'School type'),
            key: 'st',
            render: (_, u) => (u.schoolType ? i18n.pick(u.schoolType.zh, u.schoolType.en) : ''),
          },
          { title: i18n.t('status'), dataIndex: 'status', render: (s) => <CodeTag table="unitStatus" code={s} /> },
          {
            title: i18n.t('actions'),
            key: 'a',
            render: (_, u) =>
              mayManage &&
              u.status === 'active' && (
                <Space size="small">
                  <Button size="small" onClick={() => open({ op: 'rename', unit: u })}>
                    {titles.rename}
                  </Button>
                  <Button size="small" onClick={() => open({ op: 'move', unit: u })}>
                    {titles.move}
                  </Button>
                  <Button size="small" danger onClick={() => open({ op: 'close', unit: u })}>
                    {titles.close}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing ? `${titles[editing.op]}${'unit' in editing ? ` · ${editing.unit.name}` : ` · ${at.name}`}` : ''}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={i18n.t('save')}
        cancelText={i18n.t('cancel')}
      >
        <ProblemAlert error={formError} />
        <Form form={form} name="unit" layout="vertical" onFinish={save}>
          {editing?.op === 'create' && (
            <>
              <Form.Item name="kind" label={i18n.pick('类型', 'Kind')} rules={[{ required: true }]}>
                <Select options={options('unitKind', childKinds)} />
              </Form.Item>
              <Form.Item
                name="code"
                label={i18n.pick('代码（区划代码 6 位；学校标识码 10 位）', 'Code (division: 6 digits; school: 10)')}
              >
                <Input />
              </Form.Item>
            </>
          )}
          {(editing?.op === 'create' || editing?.op === 'rename') && (
            <Form.Item name="name" label={i18n.pick('名称', 'Name')} rules={[{ required: true, max: 200 }]}>
              <Input />
            </Form.Item>
          )}
          {editing?.op === 'create' && (
            <Form.Item noStyle shouldUpdate={(a, b) => a.kind !== b.kind}>
              {({ getFieldValue }) =>
                getFieldValue('kind') === 'school' && (
                  <>
                    {(
                      [
                        ['schoolType', 'school-type', '学校类型', 'School type'],
                        ['urbanRural', 'urban-rural', '城乡分类', 'Urban/rural class'],
                        ['sponsor', 'sponsor', '办学性质', 'Sponsor'],
                      ] as const
                    ).map(([name, table, zh, en]) => (
                      <Form.Item key={name} name={name} label={i18n.pick(zh, en)} rules={[{ required: true }]}>
                        <Select showSearch optionFilterProp="label" options={codeOptions(table)} />
                      </Form.Item>
                    ))}
                  </>
                )
              }
            </Form.Item>
          )}
          {editing?.op === 'move' && (
            <Form.Item
              name="newParentId"
              label={i18n.pick('新的上级单位', 'New parent unit')}
              rules={[{ required: true }]}
            >
              <UnitPicker kinds={['province', 'city', 'county', 'school']} />
            </Form.Item>
          )}
          {editing?.op === 'close' && (
            <Form.Item name="closedOn" label={i18n.pick('撤销日期', 'Closed on')} rules={[{ required: true }]}>
              <Input type="date" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
