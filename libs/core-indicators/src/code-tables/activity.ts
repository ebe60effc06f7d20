import { codeTable } from './code-table.js';

export const LEVEL = codeTable('level', 'TMIS working list (级别)', [
  ['1', '国家级', 'National'],
  ['2', '省级', 'Provincial'],
  ['3', '地市级', 'City'],
  ['4', '区县级', 'County'],
  ['5', '校级', 'School'],
  ['9', '其他', 'Other'],
]);

export const SUBJECT = codeTable('subject', 'TMIS working list (任教学科)', [
  ['01', '语文', 'Chinese'],
  ['02', '数学', 'Mathematics'],
  ['03', '英语', 'English'],
  ['04', '物理', 'Physics'],
  ['05', '化学', 'Chemistry'],
  ['06', '生物', 'Biology'],
  ['07', '历史', 'History'],
  ['08', '地理', 'Geography'],
  ['09', '道德与法治/思想政治', 'Ethics and law / Politics'],
  ['10', '音乐', 'Music'],
  ['11', '美术', 'Art'],
  ['12', '体育与健康', 'PE and health'],
  ['13', '信息科技', 'Information technology'],
  ['14', '科学', 'Science'],
  ['15', '劳动', 'Labour education'],
  ['16', '心理健康', 'Mental health'],
  ['17', '学前教育', 'Pre-school'],
  ['18', '特殊教育', 'Special education'],
  ['19', '专业课', 'Vocational subject'],
  ['99', '其他', 'Other'],
]);

export const SEMESTER = codeTable('semester', 'TMIS working list (学期)', [
  ['1', '第一学期', 'First semester'],
  ['2', '第二学期', 'Second semester'],
]);

export const ROTATION_KIND = codeTable('rotation-kind', 'TMIS working list (交流轮岗类型)', [
  ['1', '城乡交流', 'Urban-rural exchange'],
  ['2', '校际交流', 'Inter-school exchange'],
  ['3', '支教', 'Teaching support'],
  ['9', '其他', 'Other'],
]);

export const TRAINING_MODE = codeTable('training-mode', 'TMIS working list (培训形式)', [
  ['1', '集中面授', 'Face to face'],
  ['2', '网络研修', 'Online'],
  ['3', '混合式', 'Blended'],
  ['4', '校本研修', 'School-based'],
]);
