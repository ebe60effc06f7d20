import { useCallback, useEffect, useRef, useState } from 'react';
import { App, Button, Card, Checkbox, Descriptions, Progress, Select, Space, Table, Typography, Upload } from 'antd';
import { api, download, unwrap, uploadWithProgress } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { CodeTag } from '../lib/labels';
import { ProblemAlert } from '../lib/problem';

interface Job {
  id: string;
  state: string;
  dryRun: boolean;
  mode: string;
  fileName: string;
  counts: {
    rows?: number;
    persons?: number;
    created?: number;
    updated?: number;
    unchanged?: number;
    invalidPersons?: number;
    errors?: number;
  };
  progress: { phase?: string; rowsRead?: number; personsValidated?: number; personsTotal?: number; committed?: number };
  message: string | null;
  messageZh: string | null;
  createdAt: string;
}
interface JobError {
  id: string;
  sheet: string | null;
  row: number | null;
  column: string | null;
  value: string | null;
  message: string;
  messageZh: string;
}
const RUNNING = ['queued', 'validating', 'committing'];

function percent(j: Job): number {
  if (!RUNNING.includes(j.state)) return 100;
  const p = j.progress;
  if (p.phase === 'committing' && p.personsTotal)
    return Math.min(99, 50 + Math.round(((p.committed ?? 0) / p.personsTotal) * 50));
  if (p.personsTotal)
    return Math.min(99, Math.round(((p.personsValidated ?? 0) / p.personsTotal) * (j.dryRun ? 100 : 50)));
  return p.rowsRead ? 5 : 1;
}

/** Bulk import (upload with a progress bar, job progress, errors and the marked-up error report) and export. */
export default function Bulk() {
  const i18n = useI18n();
  const { message } = App.useApp();
  const [dryRun, setDryRun] = useState(true);
  const [mode, setMode] = useState<'all-or-nothing' | 'valid-only'>('all-or-nothing');
  const [upload, setUpload] = useState<number | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [errors, setErrors] = useState<JobError[]>([]);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<number | undefined>(undefined);

  const loadJobs = useCallback(
    () =>
      unwrap<{ items: Job[] } | Job[]>(api.GET('/bulk/jobs')).then(
        (r) => setJobs(Array.isArray(r) ? r : r.items),
        setError,
      ),
    [],
  );
  useEffect(() => {
    void loadJobs();
    return () => window.clearTimeout(timer.current);
  }, [loadJobs]);

  const follow = useCallback(
    async (id: string) => {
      const j = await unwrap<Job>(api.GET('/bulk/jobs/{id}', { params: { path: { id } } }));
      setJob(j);
      if (RUNNING.includes(j.state)) {
        timer.current = window.setTimeout(() => void follow(id), 400);
        return;
      }
      if (j.counts.errors) {
        const e = await unwrap<{ items: JobError[] }>(
          api.GET('/bulk/jobs/{id}/errors', { params: { path: { id }, query: { limit: 200 } } }),
        );
        setErrors(e.items);
      } else setErrors([]);
      void loadJobs();
    },
    [loadJobs],
  );

  const start = async (file: File) => {
    setError(null);
    setJob(null);
    setErrors([]);
    setUpload(0);
    try {
      const j = await uploadWithProgress<Job>(`/bulk/imports?dryRun=${dryRun}&mode=${mode}`, file, setUpload);
      setUpload(100);
      await follow(j.id);
    } catch (e) {
      setError(e);
    }
  };
  const commit = async () => {
    try {
      const j = await unwrap<Job>(
        api.POST('/bulk/jobs/{id}/commit', { params: { path: { id: job!.id }, query: { mode } } }),
      );
      message.info(i18n.t('commit'));
      await follow(j.id);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <Typography.Title level={3}>{i18n.t('bulk')}</Typography.Title>
      <ProblemAlert error={error} />
      <Card size="small" title={i18n.pick('导入', 'Import')} style={{ marginBottom: 16 }}>
        <Space wrap>
          <Button onClick={() => void download('/bulk/templates', 'template.xlsx').catch(setError)}>
            {i18n.t('template')}
          </Button>
          <Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)}>
            {i18n.t('dryRun')}
          </Checkbox>
          <Select
            aria-label={i18n.pick('导入方式', 'Mode')}
            value={mode}
            onChange={setMode}
            style={{ width: 220 }}
            options={[
              { value: 'all-or-nothing', label: i18n.pick('全部成功才写入', 'All or nothing') },
              { value: 'valid-only', label: i18n.pick('仅写入无误的人员', 'Valid persons only') },
            ]}
          />
          <Upload
            accept=".xlsx,.csv"
            showUploadList={false}
            beforeUpload={(f) => {
              void start(f as File);
              return false;
            }}
          >
            <Button type="primary">{i18n.t('upload')}</Button>
          </Upload>
        </Space>
        {upload !== null && (
          <div style={{ marginTop: 16 }} data-testid="import-progress">
            <Typography.Text>{i18n.pick('上传', 'Upload')}</Typography.Text>
            <Progress percent={upload} aria-label={i18n.pick('上传进度', 'Upload progress')} />
            {job && (
              <>
                <Typography.Text>
                  {i18n.t('progress')} ·{' '}
                  <span data-testid="job-state" data-code={job.state}>
                    <CodeTag table="jobState" code={job.state} />
                  </span>
                  {job.progress.phase}
                </Typography.Text>
                <Progress
                  percent={percent(job)}
                  status={job.state === 'failed' ? 'exception' : RUNNING.includes(job.state) ? 'active' : 'normal'}
                  aria-label={i18n.pick('处理进度', 'Job progress')}
                />
              </>
            )}
          </div>
        )}
        {job && !RUNNING.includes(job.state) && (
          <>
            <Descriptions size="small" column={4} style={{ marginTop: 12 }}>
              <Descriptions.Item label={i18n.pick('行数', 'Rows')}>{job.counts.rows ?? 0}</Descriptions.Item>
              <Descriptions.Item label={i18n.pick('人数', 'Persons')}>{job.counts.persons ?? 0}</Descriptions.Item>
              <Descriptions.Item label={i18n.pick('新增/更新', 'Created/updated')}>
                {job.counts.created ?? 0}/{job.counts.updated ?? 0}
              </Descriptions.Item>
              <Descriptions.Item label={i18n.pick('错误', 'Errors')}>
                <span data-testid="job-errors">{job.counts.errors ?? 0}</span>
              </Descriptions.Item>
            </Descriptions>
            {job.message && <Typography.Paragraph>{i18n.pick(job.messageZh, job.message)}</Typography.Paragraph>}
            <Space>
              {(job.counts.errors ?? 0) > 0 && (
                <Button
                  danger
                  onClick={() =>
                    void download(`/bulk/jobs/${job.id}/error-report`, 'error-report.xlsx').catch(setError)
                  }
                >
                  {i18n.t('errorReport')}
                </Button>
              )}
              {job.dryRun && job.state === 'validated' && (
                <Button type="primary" onClick={commit}>
                  {i18n.t('commit')}
                </Button>
              )}
            </Space>
            {errors.length > 0 && (
              <Table<JobError>
                style={{ marginTop: 12 }}
                size="small"
                rowKey="id"
                data-testid="job-error-table"
                dataSource={errors}
                pagination={{ pageSize: 10 }}
                columns={[
                  { title: i18n.pick('工作表', 'Sheet'), dataIndex: 'sheet' },
                  { title: i18n.pick('行', 'Row'), dataIndex: 'row' },
                  { title: i18n.pick('列', 'Column'), dataIndex: 'column' },
                  { title: i18n.pick('值', 'Value'), dataIndex: 'value' },
                  { title: i18n.pick('错误', 'Error'), key: 'm', render: (_, e) => i18n.pick(e.messageZh, e.message) },
                ]}
              />
            )}
          </>
        )}
      </Card>
      <Card size="small" title={i18n.pick('最近的导入任务', 'Recent import jobs')}>
        <Table<Job>
          size="small"
          rowKey="id"
          dataSource={jobs}
          pagination={{ pageSize: 10 }}
          onRow={(j) => ({ onClick: () => void follow(j.id).then(() => setUpload(100)) })}
          columns={[
            { title: i18n.pick('文件', 'File'), dataIndex: 'fileName' },
            { title: i18n.t('status'), dataIndex: 'state', render: (s) => <CodeTag table="jobState" code={s} /> },
            { title: i18n.t('dryRun'), dataIndex: 'dryRun', render: (d) => (d ? '✓' : '') },
            { title: i18n.pick('错误', 'Errors'), key: 'e', render: (_, j) => j.counts.errors ?? 0 },
            { title: i18n.pick('时间', 'Time'), dataIndex: 'createdAt', render: (v) => new Date(v).toLocaleString() },
          ]}
        />
      </Card>
    </>
  );
}
