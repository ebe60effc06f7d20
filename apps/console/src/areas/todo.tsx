import { useNavigate } from 'react-router';
import { Badge, Card, List, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';
import { useLoad } from '../lib/use-load';

const TARGET: Record<string, string> = {
  'school-review': '/review',
  'department-review': '/review',
  'returned-records': '/teachers',
  'cycle-confirmation': '/cycles',
  'change-requests': '/change-requests',
  'spot-checks': '/spot-checks',
};

/** What awaits the account, with counts per kind; each opens its screen. */
export default function Todo() {
  const i18n = useI18n();
  const navigate = useNavigate();
  const { data, error } = useLoad(() =>
    unwrap<{ total: number; items: { kind: string; count: number; zh: string; en: string }[] }>(api.GET('/todo')),
  );
  return (
    <>
      <Typography.Title level={3}>
        {i18n.t('todo')} <Badge count={data?.total ?? 0} showZero />
      </Typography.Title>
      <ProblemAlert error={error} />
      <Card>
        <List
          dataSource={data?.items ?? []}
          locale={{ emptyText: i18n.pick('暂无待办', 'Nothing to do') }}
          renderItem={(x) => (
            <List.Item
              actions={[
                <a key="o" onClick={() => navigate(TARGET[x.kind] ?? '/')}>
                  {i18n.t('open')}
                </a>,
              ]}
            >
              <List.Item.Meta title={i18n.pick(x.zh, x.en)} />
              <Badge count={x.count} overflowCount={99999} />
            </List.Item>
          )}
        />
      </Card>
    </>
  );
}
