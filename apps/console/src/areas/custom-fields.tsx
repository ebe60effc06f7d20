import { useState } from 'react';
import { App, Button, Form, Input, InputNumber, Modal, Select, Space, Table, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { forgetCatalogue, useCatalogue } from '../lib/catalogue';
import { useI18n } from '../lib/i18n';
import { CodeTag, useLabel, useLabelOptions } from '../lib/labels';
import { ProblemAlert, showFieldErrors } from '../lib/problem';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

type FieldType =
  'string' | 'text' | 'date' | 'yearMonth' | 'code' | 'boolean' | 'integer' | 'decimal' | 'phone' | 'email';
interface CustomField {
  key: string;
  subSet: string;
  zh: string;
  en: string;
  type: FieldType;
  codeTable?: string;
  codes?: { code: string; zh: string; en: string }[];
  requiredIn: string[];
  owner: 'teacher' | 'school' | 'department';
  sensitivity: 'normal' | 'personal' | 'pay';
  maxLength?: number;
  status: 'active' | 'retired';
  version: number;
}
interface FormValues extends Omit<CustomField, 'codes' | 'status' | 'version'> {
  /** The province's own codes, one a line: `code 中文 English`. */
  codes?: string;
}

const parseCodes = (s: string | undefined) =>
  (s ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [code, zh, ...en] = l.split(/\s+/);
      return { code, zh: zh ?? '', en: en.join(' ') || (zh ?? '') };
    });

/**
 * The province's custom indicators (Art. 11): the province's information administrator defines a
 * field, publishes a new version, or retires it; the API validates (errors shown at each field, zh or
 * en). Everyone else reads the list. Single sub-sets only, keys in the `x_` namespace.
 */
export default function CustomFields() {
  const i18n = useI18n();
  const session = useSession();
  const catalogue = useCatalogue();
  const label = useLabel();
  const options = useLabelOptions();
  const { message, modal } = App.useApp();
  const { data, error, reload, setError, loading } = useLoad(
    () =>
      unwrap(api.GET('/custom-fields', { params: { query: { includeRetired: 'true' } } })) as Promise<CustomField[]>,
  );
  const mayDefine = session.me.role === 'info_admin' && session.unit?.kind === 'province';
  const [editing, setEditing] = useState<CustomField | 'new' | null>(null);
  const [form] = Form.useForm<FormValues>();
  const [formError, setFormError] = useState<unknown>(null);
  const subSetName = (k: string) => {
    const s = catalogue?.subSets.find((x) => x.key === k);
    return s ? i18n.pick(s.zh, s.en) : k;
  };
  const open = (f: CustomField | 'new') => {
    form.resetFields();
    if (f !== 'new')
      form.setFieldsValue({
        ...f,
        codes: (f.codes ?? []).map((c) => `${c.code} ${c.zh} ${c.en}`).join('\n'),
      });
    else form.setFieldsValue({ key: 'x_', owner: 'school', sensitivity: 'normal', type: 'string', requiredIn: [] });
    setFormError(null);
    setEditing(f);
  };
  const save = async (v: FormValues) => {
    const body = {
      key: v.key,
      zh: v.zh,
      en: v.en,
      type: v.type,
      subSet: v.subSet,
      requiredIn: v.requiredIn ?? [],
      owner: v.owner,
      sensitivity: v.sensitivity,
      ...(v.type === 'code' && v.codeTable ? { codeTable: v.codeTable } : {}),
      ...(v.type === 'code' && !v.codeTable && v.codes?.trim() ? { codes: parseCodes(v.codes) } : {}),
      ...(v.maxLength ? { maxLength: v.maxLength } : {}),
    };
    try {
      await unwrap(
        editing === 'new'
          ? api.POST('/custom-fields', { body })
          : api.PUT('/custom-fields/{key}', { params: { path: { key: v.key } }, body }),
      );
      forgetCatalogue();
      message.success(i18n.t('saved'));
      setEditing(null);
      await reload();
    } catch (e) {
      // The API names the field of each problem (`key`, `codes[2].code`, …); the codes live in one box.
      showFieldErrors(e, form, i18n, (p) => [p.replace(/\[\d+\].*$/, '')]);
      setFormError(e);
    }
  };
  const retire = (f: CustomField) =>
    modal.confirm({
      title: `${i18n.pick('停用指标', 'Retire the indicator')} · ${i18n.pick(f.zh, f.en)}`,
      content: i18n.pick(
        '停用后已填写的值保留，不再接受新的填写。',
        'Values already filled in stay; new writes are refused.',
      ),
      okText: i18n.t('confirm'),
      cancelText: i18n.t('cancel'),
      onOk: async () => {
        try {
          await unwrap(api.POST('/custom-fields/{key}/retire', { params: { path: { key: f.key } } }));
          forgetCatalogue();
          message.success(i18n.t('done'));
          await reload();
        } catch (e) {
          setError(e);
        }
      },
    });
  const single = (catalogue?.subSets ?? []).filter((s) => s.cardinality === 'one');
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3}>{i18n.t('customFields')}</Typography.Title>
        {mayDefine && (
          <Button type="primary" onClick={() => open('new')}>
            {i18n.pick('新增指标', 'Define an indicator')}
          </Button>
        )}
      </Space>
      <ProblemAlert error={error} />
      <Table<CustomField>
        rowKey="key"
        loading={loading}
        dataSource={data ?? []}
        columns={[
          { title: i18n.pick('标识', 'Key'), dataIndex: 'key' },
          { title: i18n.pick('名称', 'Name'), key: 'n', render: (_, f) => i18n.pick(f.zh, f.en) },
          { title: i18n.pick('子集', 'Sub-set'), dataIndex: 'subSet', render: subSetName },
          { title: i18n.pick('类型', 'Type'), dataIndex: 'type', render: (t) => label('fieldType', t) },
          { title: i18n.pick('填报主体', 'Kept by'), dataIndex: 'owner', render: (o) => label('fieldOwner', o) },
          { title: i18n.t('version'), dataIndex: 'version' },
          {
            title: i18n.t('status'),
            dataIndex: 'status',
            render: (s) => <CodeTag table="customFieldStatus" code={s} />,
          },
          ...(mayDefine
            ? [
                {
                  title: i18n.t('actions'),
                  key: 'a',
                  render: (_: unknown, f: CustomField) =>
                    f.status === 'active' && (
                      <Space size="small">
                        <Button size="small" onClick={() => open(f)}>
                          {i18n.t('edit')}
                        </Button>
                        <Button size="small" danger onClick={() => retire(f)}>
                          {i18n.pick('停用', 'Retire')}
                        </Button>
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={!!editing}
        width={640}
        title={
          editing === 'new'
            ? i18n.pick('新增指标', 'Define an indicator')
            : `${i18n.pick('发布新版本', 'Publish a new version')} · ${editing?.key ?? ''}`
        }
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={i18n.t('save')}
        cancelText={i18n.t('cancel')}
      >
        <ProblemAlert error={formError} />
        <Form form={form} name="custom-field" layout="vertical" onFinish={save}>
          <Form.Item
            name="key"
            label={i18n.pick('标识（x_ 开头）', 'Key (starts with x_)')}
            rules={[{ required: true }]}
          >
            <Input disabled={editing !== 'new'} />
          </Form.Item>
          <Space.Compact block>
            <Form.Item name="zh" label={i18n.pick('中文名称', 'Chinese label')} style={{ flex: 1 }}>
              <Input />
            </Form.Item>
            <Form.Item name="en" label={i18n.pick('英文名称', 'English label')} style={{ flex: 1, marginLeft: 8 }}>
              <Input />
            </Form.Item>
          </Space.Compact>
          <Form.Item name="subSet" label={i18n.pick('子集', 'Sub-set')} rules={[{ required: true }]}>
            <Select options={single.map((s) => ({ value: s.key, label: i18n.pick(s.zh, s.en) }))} />
          </Form.Item>
          <Form.Item name="type" label={i18n.pick('类型', 'Type')} rules={[{ required: true }]}>
            <Select options={options('fieldType')} />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a, b) => a.type !== b.type}>
            {({ getFieldValue }) =>
              getFieldValue('type') === 'code' ? (
                <>
                  <Form.Item name="codeTable" label={i18n.pick('国家代码表', 'National code table')}>
                    <Select
                      allowClear
                      showSearch
                      options={(catalogue?.codeTables ?? []).map((t) => ({ value: t.key, label: t.key }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name="codes"
                    label={i18n.pick(
                      '或本省代码（每行：代码 中文 English）',
                      "Or the province's own codes (one a line: code 中文 English)",
                    )}
                  >
                    <Input.TextArea rows={3} />
                  </Form.Item>
                </>
              ) : (
                <Form.Item name="maxLength" label={i18n.pick('最大长度', 'Maximum length')}>
                  <InputNumber min={1} max={2000} />
                </Form.Item>
              )
            }
          </Form.Item>
          <Form.Item name="requiredIn" label={i18n.pick('必填的指标集', 'Required in the indicator sets')}>
            <Select
              mode="multiple"
              options={(catalogue?.indicatorSets ?? []).map((s) => ({ value: s.key, label: i18n.pick(s.zh, s.en) }))}
            />
          </Form.Item>
          <Space.Compact block>
            <Form.Item name="owner" label={i18n.pick('填报主体', 'Kept by')} style={{ flex: 1 }}>
              <Select options={options('fieldOwner')} />
            </Form.Item>
            <Form.Item
              name="sensitivity"
              label={i18n.pick('敏感级别', 'Sensitivity')}
              style={{ flex: 1, marginLeft: 8 }}
            >
              <Select options={options('sensitivity')} />
            </Form.Item>
          </Space.Compact>
        </Form>
      </Modal>
    </>
  );
}
