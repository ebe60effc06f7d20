import { useEffect, useMemo, useState } from 'react';
import {
  App,
  Button,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tabs,
  Typography,
} from 'antd';
import type { ProvincialPaths } from '@tmis/api-client';
import { api, unwrap } from './api';
import { codeLabel, mayWrite, type Catalogue, type FieldDef, type SubSetDef, type WriterKind } from './catalogue';
import { useI18n } from './i18n';
import { ProblemAlert, showFieldErrors } from './problem';

export interface TeacherRecord {
  id: string;
  name: string;
  idNumber: string | null;
  unitId: string;
  version: number;
  reviewState: string;
  personStatus: string;
  record: Record<string, unknown>;
}

type Entry = Record<string, unknown> & { id?: string };
/** A list sub-set's key as the API's path parameter names them. */
type ListSubSet = ProvincialPaths['/teachers/{id}/{subSet}']['post']['parameters']['path']['subSet'];

/** Form control for a catalogue field type (every control gets its label from the Form.Item). */
function FieldInput({
  f,
  cat,
  disabled,
  ...control
}: {
  f: FieldDef;
  cat: Catalogue;
  disabled: boolean;
  // What Form.Item hands its child: id (the label's target), value, onChange.
  id?: string;
  value?: never;
  onChange?: never;
}) {
  const i18n = useI18n();
  if (f.type === 'code') {
    const table = cat.codeTables.find((t) => t.key === f.codeTable);
    return (
      <Select
        {...control}
        allowClear
        showSearch
        disabled={disabled}
        optionFilterProp="label"
        options={(table?.entries ?? []).map((e) => ({ value: e.code, label: `${e.code} ${i18n.pick(e.zh, e.en)}` }))}
      />
    );
  }
  if (f.type === 'boolean')
    return (
      <Select
        {...control}
        allowClear
        disabled={disabled}
        options={[
          { value: true, label: i18n.lang === 'zh' ? '是' : 'Yes' },
          { value: false, label: i18n.lang === 'zh' ? '否' : 'No' },
        ]}
      />
    );
  if (f.type === 'integer' || f.type === 'decimal')
    return (
      <InputNumber disabled={disabled} style={{ width: '100%' }} precision={f.type === 'integer' ? 0 : undefined} />
    );
  if (f.type === 'text') return <Input.TextArea {...control} disabled={disabled} rows={2} maxLength={f.maxLength} />;
  if (f.type === 'date') return <Input {...control} type="date" disabled={disabled} />;
  if (f.type === 'yearMonth') return <Input {...control} type="month" disabled={disabled} />;
  return <Input {...control} disabled={disabled} maxLength={f.maxLength} />;
}

const clean = (v: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === '' || x === undefined ? null : x]));

/** The form of one sub-set's fields; fields the caller may not write are shown but disabled. */
function FieldsForm({
  form,
  name,
  ss,
  cat,
  writer,
  initial,
}: {
  form: ReturnType<typeof Form.useForm>[0];
  name: string;
  ss: SubSetDef;
  cat: Catalogue;
  writer: WriterKind;
  initial: Record<string, unknown>;
}) {
  const i18n = useI18n();
  return (
    <Form form={form} name={name} layout="vertical" initialValues={initial} scrollToFirstError>
      <Row gutter={16}>
        {ss.fields
          .filter((f) => f.key !== 'id')
          .map((f) => (
            <Col key={f.key} xs={24} md={12} xl={8}>
              <Form.Item name={f.key} label={i18n.pick(f.zh, f.en)}>
                <FieldInput f={f} cat={cat} disabled={!mayWrite(writer, f.owner)} />
              </Form.Item>
            </Col>
          ))}
      </Row>
    </Form>
  );
}

/** Error paths of the API (`record.basic.name`, `changes.basic.name`, `entry.degree`) as form names. */
const toName = (prefix: string) => (path: string) => {
  const p = path.replace(/^(record|changes|entry)\./, '');
  if (prefix && p.startsWith(`${prefix}.`)) return [p.slice(prefix.length + 1)];
  return p.includes('.') || p.includes('[') ? null : [p];
};

function SingleSubSet({
  t,
  ss,
  cat,
  writer,
  onSaved,
}: {
  t: TeacherRecord;
  ss: SubSetDef;
  cat: Catalogue;
  writer: WriterKind;
  onSaved: (t: TeacherRecord) => void;
}) {
  const i18n = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const initial = (t.record[ss.key] as Record<string, unknown>) ?? {};
  useEffect(() => form.setFieldsValue(initial), [t.version]);
  const writable = ss.fields.some((f) => mayWrite(writer, f.owner)) && (ss.key === 'basic' || ss.key === 'contacts');
  // A school changes a reported record by a change request, with its reason.
  const viaChangeRequest = t.reviewState === 'reported' && writer === 'school';
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const save = async () => {
    setBusy(true);
    setError(null);
    const values = clean(form.getFieldsValue());
    const changes = Object.fromEntries(
      Object.entries(values).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(initial[k] ?? null)),
    );
    try {
      if (viaChangeRequest) {
        // Reported information changes through a request the supervising department decides (Art. 19).
        await unwrap(
          api.POST('/teachers/{id}/change-requests', {
            params: { path: { id: t.id } },
            body: { baseVersion: t.version, changes: { [ss.key]: changes }, reason: reason.trim() },
          }),
        );
        message.success(i18n.pick('变更申请已提交，等待主管部门审核', 'Change request filed; the department decides'));
        setAsking(false);
        return;
      }
      const next = await unwrap<TeacherRecord>(
        api.PATCH('/teachers/{id}', {
          params: { path: { id: t.id } },
          body: { version: t.version, changes: { [ss.key]: changes } },
        }),
      );
      message.success(i18n.t('saved'));
      onSaved(next);
    } catch (e) {
      showFieldErrors(e, form, i18n, toName(ss.key));
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <ProblemAlert error={error} />
      <FieldsForm form={form} name={`record-${ss.key}`} ss={ss} cat={cat} writer={writer} initial={initial} />
      {writable && (
        <Button type="primary" onClick={viaChangeRequest ? () => setAsking(true) : save} loading={busy}>
          {viaChangeRequest ? i18n.pick('提交变更申请', 'Request the change') : i18n.t('save')}
        </Button>
      )}
      {viaChangeRequest && (
        <Modal
          open={asking}
          title={i18n.pick('变更申请', 'Change request')}
          onCancel={() => setAsking(false)}
          onOk={save}
          okButtonProps={{ disabled: !reason.trim() }}
          okText={i18n.t('confirm')}
          cancelText={i18n.t('cancel')}
        >
          <label htmlFor={`change-reason-${ss.key}`}>{i18n.t('reason')}</label>
          <Input.TextArea id={`change-reason-${ss.key}`} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Modal>
      )}
    </>
  );
}

function ListSubSet({
  t,
  ss,
  cat,
  writer,
  onSaved,
}: {
  t: TeacherRecord;
  ss: SubSetDef;
  cat: Catalogue;
  writer: WriterKind;
  onSaved: (t: TeacherRecord) => void;
}) {
  const i18n = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [editing, setEditing] = useState<Entry | null>(null);
  const [error, setError] = useState<unknown>(null);
  const entries = ((t.record[ss.key] as Entry[]) ?? []).map((e, i) => ({ ...e, _i: i }));
  const canWrite = ss.fields.some((f) => mayWrite(writer, f.owner));
  const shown = ss.fields.filter((f) => f.key !== 'id').slice(0, 5);
  const save = async () => {
    setError(null);
    const entry = clean(form.getFieldsValue());
    try {
      const next = editing?.id
        ? await unwrap<TeacherRecord>(
            api.PATCH('/teachers/{id}/{subSet}/{entryId}', {
              params: { path: { id: t.id, subSet: ss.key as ListSubSet, entryId: editing.id } },
              body: { version: t.version, entry },
            }),
          )
        : await unwrap<TeacherRecord>(
            api.POST('/teachers/{id}/{subSet}', {
              params: { path: { id: t.id, subSet: ss.key as ListSubSet } },
              body: {
                version: t.version,
                entry: Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== null)),
              },
            }),
          );
      message.success(i18n.t('saved'));
      setEditing(null);
      onSaved(next);
    } catch (e) {
      showFieldErrors(e, form, i18n, (p) => {
        const m = /(?:^|\.)\w+\[\d+\]\.(\w+)$|^entry\.(\w+)$/.exec(p);
        return m ? [m[1] ?? m[2]] : null;
      });
      setError(e);
    }
  };
  const remove = async (e: Entry) => {
    try {
      onSaved(
        await unwrap<TeacherRecord>(
          api.DELETE('/teachers/{id}/{subSet}/{entryId}', {
            params: { path: { id: t.id, subSet: ss.key as ListSubSet, entryId: e.id! }, query: { version: t.version } },
          }),
        ),
      );
    } catch (x) {
      setError(x);
    }
  };
  return (
    <>
      {!editing && <ProblemAlert error={error} />}
      {canWrite && (
        <Button style={{ marginBottom: 12 }} onClick={() => (form.resetFields(), setError(null), setEditing({}))}>
          {i18n.t('add')}
        </Button>
      )}
      <Table
        size="small"
        rowKey={(e) => String(e.id ?? e._i)}
        dataSource={entries}
        pagination={false}
        columns={[
          ...shown.map((f) => ({
            title: i18n.pick(f.zh, f.en),
            dataIndex: f.key,
            render: (v: unknown) =>
              f.type === 'code' ? codeLabel(cat, f.codeTable!, v, i18n.lang) : v == null ? '' : String(v),
          })),
          ...(canWrite
            ? [
                {
                  title: i18n.t('actions'),
                  key: 'a',
                  render: (_: unknown, e: Entry) => (
                    <Space>
                      <Button
                        size="small"
                        onClick={() => (form.resetFields(), form.setFieldsValue(e), setError(null), setEditing(e))}
                      >
                        {i18n.t('edit')}
                      </Button>
                      <Popconfirm title={i18n.t('remove')} onConfirm={() => remove(e)}>
                        <Button size="small" danger>
                          {i18n.t('remove')}
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={editing !== null}
        width={900}
        title={`${i18n.pick(ss.zh, ss.en)} · ${editing?.id ? i18n.t('edit') : i18n.t('add')}`}
        onCancel={() => setEditing(null)}
        onOk={save}
        okText={i18n.t('save')}
        cancelText={i18n.t('cancel')}
        forceRender
      >
        <ProblemAlert error={error} />
        <FieldsForm form={form} name={`entry-${ss.key}`} ss={ss} cat={cat} writer={writer} initial={{}} />
      </Modal>
    </>
  );
}

/**
 * A teacher's record, one tab per sub-set (a teacher sees the 14 sub-sets visible to them). Fields
 * the caller's role may not write are disabled; the API's validation errors appear at their fields.
 */
export function RecordEditor({
  teacher,
  catalogue,
  writer,
  teacherView,
  onSaved,
}: {
  teacher: TeacherRecord;
  catalogue: Catalogue;
  writer: WriterKind;
  teacherView?: boolean;
  onSaved: (t: TeacherRecord) => void;
}) {
  const i18n = useI18n();
  const subSets = useMemo(
    () => catalogue.subSets.filter((s) => !teacherView || s.teacherVisible).sort((a, b) => a.order - b.order),
    [catalogue, teacherView],
  );
  return (
    <div data-testid="record-editor">
      <Typography.Paragraph type="secondary">{i18n.t('teacherOwnedNote')}</Typography.Paragraph>
      <Tabs
        items={subSets.map((ss) => ({
          key: ss.key,
          label: i18n.pick(ss.zh, ss.en),
          children:
            ss.cardinality === 'one' ? (
              <SingleSubSet t={teacher} ss={ss} cat={catalogue} writer={writer} onSaved={onSaved} />
            ) : (
              <ListSubSet t={teacher} ss={ss} cat={catalogue} writer={writer} onSaved={onSaved} />
            ),
        }))}
      />
    </div>
  );
}
