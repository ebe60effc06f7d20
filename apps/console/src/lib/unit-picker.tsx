import { useEffect, useState } from 'react';
import { TreeSelect } from 'antd';
import { api, unwrap, type Unit } from './api';
import { useI18n } from './i18n';
import { LABELS } from './labels';
import { useSession } from './session';

interface Node {
  id: string;
  pId: string | null;
  value: string;
  title: string;
  isLeaf: boolean;
  disabled?: boolean;
  selectable?: boolean;
}

const LEAF_KINDS = new Set(['department', 'institution']);

/**
 * Chooses a unit of the caller's subtree: a tree rooted at the caller's own unit, each level read
 * from `GET /units/{id}/children` when opened. Units outside the subtree are never offered (the API
 * answers only what the caller may see, and refuses the rest anyway).
 *
 * `kinds` limits what may be chosen (e.g. schools only); the others stay visible to open.
 */
export function UnitPicker({
  id,
  value,
  onChange,
  kinds,
  root,
  allowClear = true,
  placeholder,
  style,
  'aria-label': ariaLabel,
}: {
  id?: string;
  value?: string;
  onChange?: (id: string | undefined, unit?: Unit) => void;
  kinds?: readonly string[];
  /** Start below the caller's unit (default: the caller's unit). */
  root?: Unit | null;
  allowClear?: boolean;
  placeholder?: string;
  style?: React.CSSProperties;
  'aria-label'?: string;
}) {
  const i18n = useI18n();
  const session = useSession();
  const top = root ?? session.unit;
  const [nodes, setNodes] = useState<Node[]>([]);
  const [units] = useState(() => new Map<string, Unit>());
  const selectable = (u: Unit) => !kinds || kinds.includes(u.kind);
  const kindLabel = (k: string) => {
    const e = (LABELS.unitKind as Record<string, readonly [string, string]>)[k];
    return e ? i18n.pick(e[0], e[1]) : k;
  };
  const toNode = (u: Unit, pId: string | null): Node => {
    units.set(u.id, u);
    return {
      id: u.id,
      pId,
      value: u.id,
      title: `${u.name} · ${kindLabel(u.kind)} · ${u.code}`,
      isLeaf: LEAF_KINDS.has(u.kind),
      selectable: selectable(u),
      disabled: !selectable(u) && LEAF_KINDS.has(u.kind),
    };
  };
  useEffect(() => {
    if (!top) return;
    setNodes([toNode(top, null)]);
    void loadData({ id: top.id }); // the first level is there when the list opens
  }, [top?.id]); // only when the root changes
  async function loadData(node: { id?: unknown }) {
    const parent = typeof node.id === 'string' ? node.id : undefined;
    if (!parent) return;
    // A level the node cannot list (e.g. the national node's provinces) simply stays closed.
    const children = await unwrap<Unit[]>(
      api.GET('/units/{id}/children', { params: { path: { id: parent }, query: {} } }),
    ).catch(() => [] as Unit[]);
    setNodes((ns) => {
      const known = new Set(ns.map((n) => n.id));
      const added = children.filter((c) => !known.has(c.id)).map((c) => toNode(c, parent));
      return [...ns.map((n) => (n.id === parent && !children.length ? { ...n, isLeaf: true } : n)), ...added];
    });
  }
  return (
    <TreeSelect
      id={id}
      aria-label={ariaLabel}
      data-testid="unit-picker"
      style={{ minWidth: 280, ...style }}
      value={value}
      onChange={(v: string | undefined) => onChange?.(v, v ? units.get(v) : undefined)}
      treeDataSimpleMode
      treeData={nodes}
      loadData={(n: { value?: unknown }) => loadData({ id: n.value })}
      allowClear={allowClear}
      showSearch
      treeNodeFilterProp="title"
      placeholder={placeholder ?? i18n.pick('选择单位', 'Choose a unit')}
      treeDefaultExpandedKeys={top ? [top.id] : []}
      popupMatchSelectWidth={false}
    />
  );
}
