import { useCallback, useEffect, useState } from 'react';
import { Alert, Col, Row, Spin, Typography } from 'antd';
import { api, unwrap } from '../lib/api';
import { useCatalogue } from '../lib/catalogue';
import { useI18n } from '../lib/i18n';
import { ProblemAlert } from '../lib/problem';
import { RecordEditor, type TeacherRecord } from '../lib/record-editor';
import { ReviewPanel } from '../lib/review-panel';

/** Teacher self-service: my record by sub-set, teacher-owned fields, new entries, submit, returns. */
export default function MyRecord() {
  const i18n = useI18n();
  const catalogue = useCatalogue();
  const [t, setT] = useState<TeacherRecord | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => unwrap<TeacherRecord>(api.GET('/teachers/me')).then(setT, setError), []);
  useEffect(() => void load(), [load]);
  if (error) return <ProblemAlert error={error} />;
  if (!t || !catalogue) return <Spin />;
  const locked = t.reviewState === 'submitted' || t.reviewState === 'school_approved';
  return (
    <>
      <Typography.Title level={3}>
        {i18n.t('myRecord')} · {t.name}
      </Typography.Title>
      {locked && <Alert type="info" showIcon title={i18n.t('submitted')} style={{ marginBottom: 16 }} />}
      <Row gutter={16}>
        <Col xs={24} xl={17}>
          <RecordEditor
            teacher={t}
            catalogue={catalogue}
            writer={locked ? null : 'teacher'}
            teacherView
            onSaved={setT}
          />
        </Col>
        <Col xs={24} xl={7}>
          <ReviewPanel teacherId={t.id} version={t.version} catalogue={catalogue} onChanged={() => void load()} />
        </Col>
      </Row>
    </>
  );
}
