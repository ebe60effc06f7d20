import { useCallback, useEffect, useState } from 'react';
import { Route, Routes, useNavigate, useParams } from 'react-router';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Spin,
  Table,
  Typography,
} from 'antd';
import { api, download, unwrap } from '../lib/api';
import { codeLabel, useCatalogue, type Catalogue, type WriterKind } from '../lib/catalogue';
import { useI18n } from '../lib/i18n';
import { ProblemAlert, showFieldErrors } from '../lib/problem';
import { RecordEditor, type TeacherRecord } from '../lib/record-editor';
import { ReviewPanel } from '../lib/review-panel';
import { atSchool, useSession } from '../lib/session';
import { UnitPicker } from '../lib/unit-picker';

interface Summary {
  id: string;
  name: string;
  sex: string | null;
  birthDate: string | null;
  idNumber: string | null;
  unitId: string;
  personStatus: string;
  title: string | null;
  subjects: string[] | null;
  version: number;
}
interface Filters {
  unitId?: string;
  name?: string;
  idNumber?: string;
  personStatus?: string;
  subject?: string;
  title?: string;
  includeInactive?: boolean;
}
const PAGE = 20;

const codeOptions = (cat: Catalogue | null, key: string, lang: 'zh' | 'en') =>
  (cat?.codeTables.find((t) => t.key === key)?.entries ?? []).map((e) => ({
    value: e.code,
    label: `${e.code} ${lang === 'zh' ? e.zh : e.en}`,
  }));

/** The school's (or the subtree's) teachers: search, filters, keyset paging, export. */
function TeacherList() {
  const i18n = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const catalogue = useCatalogue();
  const [filters, setFilters] = useState<Filters>({});
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ items: Summary[]; nextCursor: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const query = (f: Filters) => ({
    ...(f.unitId ? { unitId: f.unitId } : {}),
    ...(f.name ? { name: f.name } : {}),
    ...(f.idNumber ? { idNumber: f.idNumber } : {}),
    ...(f.personStatus ? { personStatus: f.personStatus } : {}),
    ...(f.subject ? { subject: f.subject } : {}),
    ...(f.title ? { title: f.title } : {}),
    ...(f.includeInactive ? { includeInactive: 'true' } : {}),
  });
  const load = useCallback(async (f: Filters, cursor: string | undefined) => {
    setLoading(true);
    setError(null);
    try {
      setPage(
        await unwrap(
          api.GET('/teachers', { params: { query: { ...query(f), limit: PAGE, ...(cursor ? { cursor } : {}) } } }),
        ),
      );
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void load(filters, cursors[cursors.length - 1]), [load, filters, cursors]);
  const mayRegister = session.me.role === 'info_admin' && atSchool(session);

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3}>{i18n.t('teachers')}</Typography.Title>
        <Space>
          <Button
            onClick={() =>
              void download(
                `/teachers/export?format=xlsx&${new URLSearchParams(query(filters))}`,
                'teachers.xlsx',
              ).catch(setError)
            }
          >
            {i18n.t('exportXlsx')}
          </Button>
          <Button
            onClick={() =>
              void download(`/teachers/export?format=csv&${new URLSearchParams(query(filters))}`, 'teachers.csv').catch(
                setError,
              )
            }
          >
            {i18n.t('exportCsv')}
          </Button>
          {mayRegister && (
            <Button type="primary" onClick={() => navigate('new')}>
              {i18n.t('registerTeacher')}
            </Button>
          )}
        </Space>
      </Space>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form
          name="teacher-search"
          layout="inline"
          onFinish={(v: Filters) => {
            setFilters(v);
            setCursors([undefined]);
          }}
          onReset={() => {
            setFilters({});
            setCursors([undefined]);
          }}
        >
          {!atSchool(session) && (
            <Form.Item name="unitId" label={i18n.t('unit')}>
              <UnitPicker style={{ width: 240 }} />
            </Form.Item>
          )}
          <Form.Item name="name" label={i18n.t('name')}>
            <Input allowClear style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="idNumber" label={i18n.t('idNumber')}>
            <Input allowClear style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="personStatus" label={i18n.t('status')}>
            <Select allowClear style={{ width: 140 }} options={codeOptions(catalogue, 'person-status', i18n.lang)} />
          </Form.Item>
          <Form.Item name="title" label={i18n.lang === 'zh' ? '职称' : 'Title'}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 180 }}
              options={codeOptions(catalogue, 'professional-title', i18n.lang)}
            />
          </Form.Item>
          <Form.Item name="includeInactive" valuePropName="checked">
            <Checkbox>{i18n.lang === 'zh' ? '含已离岗人员' : 'Include people who left'}</Checkbox>
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {i18n.t('search')}
            </Button>
            <Button htmlType="reset">{i18n.t('reset')}</Button>
          </Space>
        </Form>
      </Card>
      <ProblemAlert error={error} />
      <Table<Summary>
        rowKey="id"
        loading={loading}
        dataSource={page?.items ?? []}
        pagination={false}
        onRow={(r) => ({ onDoubleClick: () => navigate(r.id) })}
        columns={[
          { title: i18n.t('name'), dataIndex: 'name', render: (v, r) => <a onClick={() => navigate(r.id)}>{v}</a> },
          { title: i18n.t('sex'), dataIndex: 'sex', render: (v) => codeLabel(catalogue, 'sex', v, i18n.lang) },
          { title: i18n.t('birthDate'), dataIndex: 'birthDate' },
          { title: i18n.t('idNumber'), dataIndex: 'idNumber', render: (v) => <span data-testid="id-number">{v}</span> },
          {
            title: i18n.t('status'),
            dataIndex: 'personStatus',
            render: (v) => codeLabel(catalogue, 'person-status', v, i18n.lang),
          },
          {
            title: i18n.lang === 'zh' ? '职称' : 'Title',
            dataIndex: 'title',
            render: (v) => codeLabel(catalogue, 'professional-title', v, i18n.lang),
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          {i18n.lang === 'zh' ? '上一页' : 'Previous'}
        </Button>
        <span aria-live="polite">{i18n.lang === 'zh' ? `第 ${cursors.length} 页` : `Page ${cursors.length}`}</span>
        <Button disabled={!page?.nextCursor} onClick={() => setCursors([...cursors, page!.nextCursor!])}>
          {i18n.lang === 'zh' ? '下一页' : 'Next'}
        </Button>
      </Space>
    </>
  );
}

/** Registers a teacher: the school, then the basic sub-set; the API's validation shows at each field. */
function RegisterTeacher() {
  const i18n = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const catalogue = useCatalogue();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!catalogue) return <Spin />;
  const basic = catalogue.subSets.find((s) => s.key === 'basic')!;
  const required = basic.fields.filter((f) => f.required === true || (f.required && typeof f.required === 'object'));
  const submit = async ({ unitId, ...v }: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && x !== '');
      const t = await unwrap<TeacherRecord>(
        api.POST('/teachers', {
          body: { unitId: (unitId as string) || session.me.unitId, record: { basic: Object.fromEntries(entries) } },
        }),
      );
      navigate(`../${t.id}`);
    } catch (e) {
      showFieldErrors(e, form, i18n, (p) => {
        const m = /^record\.basic\.(\w+)$/.exec(p);
        return m ? [m[1]] : null;
      });
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Typography.Title level={3}>{i18n.t('registerTeacher')}</Typography.Title>
      <ProblemAlert error={error} />
      <Form
        form={form}
        name="register"
        layout="vertical"
        onFinish={submit}
        initialValues={{ unitId: session.me.unitId }}
      >
        <Form.Item
          name="unitId"
          label={i18n.pick('任职学校（或内设部门）', 'School (or its department)')}
          rules={[{ required: true }]}
        >
          <UnitPicker kinds={['school', 'department']} allowClear={false} />
        </Form.Item>
        <Row gutter={16}>
          {required.map((f) => (
            <Col key={f.key} xs={24} md={12} xl={8}>
              <Form.Item name={f.key} label={i18n.pick(f.zh, f.en)}>
                {f.type === 'code' ? (
                  <Select
                    allowClear
                    showSearch
                    optionFilterProp="label"
                    options={codeOptions(catalogue, f.codeTable!, i18n.lang)}
                  />
                ) : f.type === 'date' ? (
                  <Input type="date" />
                ) : (
                  <Input />
                )}
              </Form.Item>
            </Col>
          ))}
        </Row>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy}>
            {i18n.t('save')}
          </Button>
          <Button onClick={() => navigate('..')}>{i18n.t('cancel')}</Button>
        </Space>
      </Form>
    </>
  );
}

/** One teacher's record: editor, review panel, status change. */
function TeacherDetail() {
  const { id } = useParams();
  const i18n = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const catalogue = useCatalogue();
  const { message } = App.useApp();
  const [t, setT] = useState<TeacherRecord | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [statusOpen, setStatusOpen] = useState(false);
  const [statusForm] = Form.useForm();
  const load = useCallback(
    () => unwrap<TeacherRecord>(api.GET('/teachers/{id}', { params: { path: { id: id! } } })).then(setT, setError),
    [id],
  );
  useEffect(() => void load(), [load]);
  if (error) return <ProblemAlert error={error} />;
  if (!t || !catalogue) return <Spin />;
  const locked = t.reviewState === 'submitted' || t.reviewState === 'school_approved';
  const writer: WriterKind =
    session.me.role !== 'info_admin' || locked ? null : atSchool(session) ? 'school' : 'department';
  const changeStatus = async (v: { personStatus: string; effectiveDate: string; reason?: string }) => {
    try {
      await unwrap(
        api.POST('/teachers/{id}/status', { params: { path: { id: t.id } }, body: { version: t.version, ...v } }),
      );
      message.success(i18n.t('done'));
      setStatusOpen(false);
      await load();
    } catch (e) {
      showFieldErrors(e, statusForm, i18n);
      setError(null);
      message.error(String((e as Error).message));
    }
  };
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3}>
          {t.name} <Typography.Text type="secondary">{t.idNumber}</Typography.Text>
        </Typography.Title>
        <Space>
          {session.me.role === 'info_admin' && (
            <Button onClick={() => setStatusOpen(true)}>{i18n.lang === 'zh' ? '人员状态变动' : 'Status change'}</Button>
          )}
          <Button onClick={() => navigate('..')}>{i18n.lang === 'zh' ? '返回列表' : 'Back to the list'}</Button>
        </Space>
      </Space>
      <Row gutter={16}>
        <Col xs={24} xl={17}>
          <RecordEditor teacher={t} catalogue={catalogue} writer={writer} onSaved={setT} />
        </Col>
        <Col xs={24} xl={7}>
          <ReviewPanel teacherId={t.id} version={t.version} catalogue={catalogue} onChanged={() => void load()} />
        </Col>
      </Row>
      <Modal
        open={statusOpen}
        title={i18n.lang === 'zh' ? '人员状态变动' : 'Status change'}
        onCancel={() => setStatusOpen(false)}
        onOk={() => statusForm.submit()}
        okText={i18n.t('save')}
        cancelText={i18n.t('cancel')}
        forceRender
      >
        <Form form={statusForm} name="status-change" layout="vertical" onFinish={changeStatus}>
          <Form.Item name="personStatus" label={i18n.t('status')} rules={[{ required: true }]}>
            <Select options={codeOptions(catalogue, 'person-status', i18n.lang)} />
          </Form.Item>
          <Form.Item
            name="effectiveDate"
            label={i18n.lang === 'zh' ? '生效日期' : 'Effective date'}
            rules={[{ required: true }]}
          >
            <Input type="date" />
          </Form.Item>
          <Form.Item name="reason" label={i18n.t('reason')}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export default function Teachers() {
  return (
    <Routes>
      <Route index element={<TeacherList />} />
      <Route path="new" element={<RegisterTeacher />} />
      <Route path=":id" element={<TeacherDetail />} />
    </Routes>
  );
}
