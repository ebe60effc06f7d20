import { useEffect, useMemo, useState } from 'react';
import { Breadcrumb, Button, Card, Checkbox, Col, Row, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { api, download, unwrap, type Unit } from '../lib/api';
import type { ProvincialPaths } from '@tmis/api-client';
import { Chart, type ChartOption } from '../lib/chart';
import { useCatalogue } from '../lib/catalogue';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';
import { useSession } from '../lib/session';
import { UnitPicker } from '../lib/unit-picker';

interface Labelled {
  code: string | null;
  zh: string;
  en: string;
}
/** A statistics table as GET /stats/breakdown (and the other tables) answers it in JSON. */
type StatsTable = ProvincialPaths['/stats/breakdown']['get']['responses'][200]['content']['application/json'];

const CHILD: Record<string, string> = { ministry: 'province', province: 'city', city: 'county', county: 'school' };

type Query = Record<string, string>;

function useTable(path: string, query: Query) {
  const [data, setData] = useState<StatsTable | null>(null);
  const [error, setError] = useState<unknown>(null);
  const key = path + JSON.stringify(query);
  useEffect(() => {
    setError(null);
    // JSON here (no format=): the CSV and xlsx forms of the same answer are strings.
    unwrap(api.GET(path as '/stats/breakdown', { params: { query: query as never } })).then(
      (t) => setData(typeof t === 'string' ? null : t),
      setError,
    );
  }, [key]);
  return { data, error };
}

const sum = (rows: StatsTable['rows'], key: (r: StatsTable['rows'][number]) => string) => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + (r.count ?? 0));
  return [...m.entries()];
};

/** One figure: chart and table tabs, asOf, CSV/xlsx export of exactly this table. */
function Figure({
  title,
  path,
  query,
  chart,
  onBar,
  testId,
}: {
  title: string;
  path: string;
  query: Query;
  chart: (t: StatsTable, pick: (l: Labelled) => string) => ChartOption;
  onBar?: (t: StatsTable, index: number) => void;
  testId: string;
}) {
  const i18n = useI18n();
  const { data, error } = useTable(path, query);
  const pick = (l: Labelled) => i18n.pick(l.zh, l.en);
  const option = useMemo(() => (data ? chart(data, pick) : null), [data, i18n.lang]);
  const qs = new URLSearchParams(query).toString();
  const columns = [
    ...(data?.level
      ? [{ title: i18n.t('region'), key: 'unit', render: (_: unknown, r: StatsTable['rows'][number]) => pick(r.unit!) }]
      : []),
    ...(data?.by ?? []).map((b) => ({
      title: i18n.pick(b.zh, b.en),
      key: b.key,
      render: (_: unknown, r: StatsTable['rows'][number]) => pick(r.values[b.key]),
    })),
    {
      title: i18n.t('count'),
      key: 'count',
      align: 'right' as const,
      render: (_: unknown, r: StatsTable['rows'][number]) => (r.suppressed ? '—' : r.count),
    },
  ];
  return (
    <Card
      size="small"
      title={title}
      data-testid={testId}
      extra={
        <Space>
          <Button size="small" onClick={() => void download(`${path}?${qs}&format=csv`, `${testId}.csv`)}>
            CSV
          </Button>
          <Button size="small" onClick={() => void download(`${path}?${qs}&format=xlsx`, `${testId}.xlsx`)}>
            xlsx
          </Button>
        </Space>
      }
    >
      <ProblemAlert error={error} />
      {data && option && (
        <>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {i18n.t('total')} <b data-testid={`${testId}-total`}>{data.total}</b> · {i18n.t('asOf')}{' '}
            {new Date(data.asOf).toLocaleString()}
            {data.suppression.applied && data.suppression.suppressedCells > 0 && (
              <Tag style={{ marginLeft: 8 }}>{i18n.pick('小单元格已隐藏', 'Small cells suppressed')}</Tag>
            )}
          </Typography.Text>
          <Tabs
            size="small"
            items={[
              {
                key: 'chart',
                label: i18n.pick('图表', 'Chart'),
                children: (
                  <Chart option={option} label={title} onClick={onBar ? (_n, i) => onBar(data, i) : undefined} />
                ),
              },
              {
                key: 'table',
                label: i18n.pick('表格', 'Table'),
                children: (
                  <Table
                    size="small"
                    rowKey={(_, i) => String(i)}
                    dataSource={data.rows}
                    columns={columns}
                    pagination={{ pageSize: 10 }}
                  />
                ),
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}

const bar = (names: string[], values: number[], horizontal = false): ChartOption => ({
  tooltip: {},
  grid: { left: horizontal ? 120 : 40, right: 20, top: 20, bottom: horizontal ? 20 : 60 },
  [horizontal ? 'yAxis' : 'xAxis']: { type: 'category', data: names, axisLabel: { rotate: horizontal ? 0 : 30 } },
  [horizontal ? 'xAxis' : 'yAxis']: { type: 'value' },
  series: [{ type: 'bar', data: values, barMaxWidth: 48, itemStyle: { color: '#1d4f91' } }],
});
const pie = (entries: [string, number][]): ChartOption => ({
  tooltip: { trigger: 'item' },
  legend: { type: 'scroll', bottom: 0 },
  series: [{ type: 'pie', radius: ['35%', '65%'], data: entries.map(([name, value]) => ({ name, value })) }],
});

/**
 * The statistics dashboard of the caller's subtree: teachers by region (click a bar to drill down
 * nation → province → city → county), age pyramid, education and title structure, subject supply,
 * retirements ahead. Each figure has its table, asOf and exports; filters apply to all.
 */
export default function Stats() {
  const i18n = useI18n();
  const session = useSession();
  const catalogue = useCatalogue();
  const [trail, setTrail] = useState<{ id: string; name: string; kind: string }[]>(() =>
    session.unit ? [{ id: session.unit.id, name: session.unit.name, kind: session.unit.kind }] : [],
  );
  const [schoolType, setSchoolType] = useState<string | undefined>();
  const [includeInactive, setIncludeInactive] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const scope = trail[trail.length - 1];
  const base: Query = {
    ...(scope ? { unit: scope.id } : {}),
    ...(schoolType ? { filter: `schoolType:${schoolType}` } : {}),
    ...(includeInactive ? { includeInactive: 'true' } : {}),
  };
  const child = scope ? CHILD[scope.kind] : undefined;
  const drill = async (t: StatsTable, i: number) => {
    const code = t.rows[i]?.unit?.code;
    if (!code || !child || child === 'school') return;
    try {
      const u = await unwrap<Unit>(api.GET('/units/lookup', { params: { query: { code } } }));
      setTrail([...trail, { id: u.id, name: u.name, kind: u.kind }]);
    } catch (e) {
      setError(e);
    }
  };
  const ageBands = (t: StatsTable, pick: (l: Labelled) => string): ChartOption => {
    const bands = [...new Set(t.rows.map((r) => pick(r.values.ageBand)))];
    const of = (sex: string) =>
      bands.map((b) =>
        t.rows
          .filter((r) => pick(r.values.ageBand) === b && r.values.sex.code === sex)
          .reduce((s, r) => s + (r.count ?? 0), 0),
      );
    return {
      tooltip: {},
      legend: { bottom: 0 },
      grid: { left: 80, right: 20, top: 10, bottom: 40 },
      yAxis: { type: 'category', data: bands },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => String(Math.abs(v)) } },
      series: [
        {
          name: i18n.pick('男', 'Male'),
          type: 'bar',
          stack: 's',
          data: of('1').map((v) => -v),
          itemStyle: { color: '#1d4f91' },
        },
        { name: i18n.pick('女', 'Female'), type: 'bar', stack: 's', data: of('2'), itemStyle: { color: '#d4380d' } },
      ],
    };
  };
  return (
    <>
      <Typography.Title level={3}>{i18n.t('stats')}</Typography.Title>
      <ProblemAlert error={error} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Breadcrumb
            items={trail.map((u, i) => ({
              title:
                i < trail.length - 1 ? (
                  <a onClick={() => setTrail(trail.slice(0, i + 1))}>{u.name}</a>
                ) : (
                  <b>{u.name}</b>
                ),
            }))}
          />
          <UnitPicker
            aria-label={i18n.pick('统计范围', 'Counting within')}
            placeholder={i18n.pick('统计范围', 'Counting within')}
            value={trail.length > 1 ? scope?.id : undefined}
            kinds={['province', 'city', 'county', 'school']}
            onChange={(id, u) => {
              const root = trail[0];
              if (!id || !u || !root) setTrail(root ? [root] : []);
              else if (u.id !== root.id) setTrail([root, { id: u.id, name: u.name, kind: u.kind }]);
            }}
          />
          <Select
            allowClear
            aria-label={i18n.pick('学校类型', 'School type')}
            placeholder={i18n.pick('学校类型', 'School type')}
            style={{ width: 220 }}
            value={schoolType}
            onChange={setSchoolType}
            showSearch
            optionFilterProp="label"
            options={(catalogue?.codeTables.find((t) => t.key === 'school-type')?.entries ?? []).map((e) => ({
              value: e.code,
              label: `${e.code} ${i18n.pick(e.zh, e.en)}`,
            }))}
          />
          <Checkbox checked={includeInactive} onChange={(e) => setIncludeInactive(e.target.checked)}>
            {i18n.pick('含已离岗人员', 'Include people who left')}
          </Checkbox>
        </Space>
      </Card>
      <Row gutter={[16, 16]}>
        {child && (
          <Col xs={24}>
            <Figure
              testId="by-region"
              title={i18n.pick('各地区教师数（点击柱形下钻）', 'Teachers by region (click a bar to drill down)')}
              path="/stats/breakdown"
              query={{ ...base, level: child }}
              onBar={drill}
              chart={(t, pick) =>
                bar(
                  t.rows.map((r) => pick(r.unit!)),
                  t.rows.map((r) => r.count ?? 0),
                )
              }
            />
          </Col>
        )}
        <Col xs={24} xl={12}>
          <Figure
            testId="age-pyramid"
            title={i18n.pick('年龄结构', 'Age pyramid')}
            path="/stats/age-pyramid"
            query={base}
            chart={ageBands}
          />
        </Col>
        <Col xs={24} xl={12}>
          <Figure
            testId="education"
            title={i18n.pick('学历结构', 'Highest education')}
            path="/stats/education-structure"
            query={base}
            chart={(t, pick) => pie(sum(t.rows, (r) => pick(Object.values(r.values)[0])))}
          />
        </Col>
        <Col xs={24} xl={12}>
          <Figure
            testId="titles"
            title={i18n.pick('职称结构', 'Title structure')}
            path="/stats/title-structure"
            query={base}
            chart={(t, pick) => pie(sum(t.rows, (r) => pick(Object.values(r.values)[0])))}
          />
        </Col>
        <Col xs={24} xl={12}>
          <Figure
            testId="subjects"
            title={i18n.pick('学科教师供给', 'Subject supply')}
            path="/stats/subject-supply"
            query={base}
            chart={(t, pick) => {
              const e = sum(t.rows, (r) => pick(r.values.subject))
                .sort((a, b) => b[1] - a[1])
                .slice(0, 15);
              return bar(
                e.map((x) => x[0]),
                e.map((x) => x[1]),
                true,
              );
            }}
          />
        </Col>
        <Col xs={24}>
          <Figure
            testId="retirements"
            title={i18n.pick('未来五年退休', 'Retirements in the next five years')}
            path="/stats/retirements"
            query={{ ...base, years: '5' }}
            chart={(t, pick) => {
              const e = sum(t.rows, (r) => pick(r.values.retireYear ?? Object.values(r.values)[0]));
              return bar(
                e.map((x) => x[0]),
                e.map((x) => x[1]),
              );
            }}
          />
        </Col>
      </Row>
    </>
  );
}
