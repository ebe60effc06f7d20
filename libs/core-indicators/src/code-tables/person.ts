import { codeTable } from './code-table.js';

/** Sex (人的性别代码), GB/T 2261.1-2003. */
export const SEX = codeTable('sex', 'GB/T 2261.1-2003 (as published)', [
  ['0', '未知的性别', 'Unknown'],
  ['1', '男', 'Male'],
  ['2', '女', 'Female'],
  ['9', '未说明的性别', 'Not stated'],
]);

/** The 56 ethnic groups of GB/T 3304-1991 (中国各民族名称的罗马字母拼写法和代码) and its two special codes. */
export const ETHNICITY = codeTable('ethnicity', 'GB/T 3304-1991 (as published; English: common names)', [
  ['01', '汉族', 'Han'],
  ['02', '蒙古族', 'Mongol'],
  ['03', '回族', 'Hui'],
  ['04', '藏族', 'Tibetan (Zang)'],
  ['05', '维吾尔族', 'Uyghur'],
  ['06', '苗族', 'Miao'],
  ['07', '彝族', 'Yi'],
  ['08', '壮族', 'Zhuang'],
  ['09', '布依族', 'Buyei'],
  ['10', '朝鲜族', 'Korean (Chosen)'],
  ['11', '满族', 'Manchu'],
  ['12', '侗族', 'Dong'],
  ['13', '瑶族', 'Yao'],
  ['14', '白族', 'Bai'],
  ['15', '土家族', 'Tujia'],
  ['16', '哈尼族', 'Hani'],
  ['17', '哈萨克族', 'Kazakh'],
  ['18', '傣族', 'Dai'],
  ['19', '黎族', 'Li'],
  ['20', '傈僳族', 'Lisu'],
  ['21', '佤族', 'Va'],
  ['22', '畲族', 'She'],
  ['23', '高山族', 'Gaoshan'],
  ['24', '拉祜族', 'Lahu'],
  ['25', '水族', 'Sui'],
  ['26', '东乡族', 'Dongxiang'],
  ['27', '纳西族', 'Naxi'],
  ['28', '景颇族', 'Jingpo'],
  ['29', '柯尔克孜族', 'Kyrgyz'],
  ['30', '土族', 'Tu'],
  ['31', '达斡尔族', 'Daur'],
  ['32', '仫佬族', 'Mulao'],
  ['33', '羌族', 'Qiang'],
  ['34', '布朗族', 'Blang'],
  ['35', '撒拉族', 'Salar'],
  ['36', '毛南族', 'Maonan'],
  ['37', '仡佬族', 'Gelao'],
  ['38', '锡伯族', 'Xibe'],
  ['39', '阿昌族', 'Achang'],
  ['40', '普米族', 'Pumi'],
  ['41', '塔吉克族', 'Tajik'],
  ['42', '怒族', 'Nu'],
  ['43', '乌孜别克族', 'Uzbek'],
  ['44', '俄罗斯族', 'Russian'],
  ['45', '鄂温克族', 'Evenki'],
  ['46', '德昂族', 'Deang'],
  ['47', '保安族', 'Bonan'],
  ['48', '裕固族', 'Yugur'],
  ['49', '京族', 'Gin'],
  ['50', '塔塔尔族', 'Tatar'],
  ['51', '独龙族', 'Derung'],
  ['52', '鄂伦春族', 'Oroqen'],
  ['53', '赫哲族', 'Hezhen'],
  ['54', '门巴族', 'Monba'],
  ['55', '珞巴族', 'Lhoba'],
  ['56', '基诺族', 'Jino'],
  ['97', '其他未识别民族', 'Other unidentified'],
  ['98', '外国血统中国籍人士', 'Chinese citizen of foreign origin'],
]);

/**
 * Nationality / region (国籍/地区): the GB/T 2659-2000 alpha-3 codes of China, its SARs and Taiwan and
 * the most common others. A working subset, not the whole standard; `OTH` is a TMIS addition.
 */
export const NATIONALITY = codeTable(
  'nationality',
  'GB/T 2659-2000 alpha-3 (TMIS working subset; OTH is a TMIS addition)',
  [
    ['CHN', '中国', 'China'],
    ['HKG', '中国香港', 'Hong Kong, China'],
    ['MAC', '中国澳门', 'Macao, China'],
    ['TWN', '中国台湾', 'Taiwan, China'],
    ['USA', '美国', 'United States'],
    ['GBR', '英国', 'United Kingdom'],
    ['CAN', '加拿大', 'Canada'],
    ['AUS', '澳大利亚', 'Australia'],
    ['JPN', '日本', 'Japan'],
    ['KOR', '韩国', 'Republic of Korea'],
    ['DEU', '德国', 'Germany'],
    ['FRA', '法国', 'France'],
    ['RUS', '俄罗斯', 'Russia'],
    ['SGP', '新加坡', 'Singapore'],
    ['NZL', '新西兰', 'New Zealand'],
    ['ITA', '意大利', 'Italy'],
    ['ESP', '西班牙', 'Spain'],
    ['MYS', '马来西亚', 'Malaysia'],
    ['THA', '泰国', 'Thailand'],
    ['OTH', '其他', 'Other'],
  ],
);

/** Nationality codes of Chinese citizens: ethnicity is recorded for them, not for foreign nationals. */
export const CHINESE_NATIONALITIES: ReadonlySet<string> = new Set(['CHN', 'HKG', 'MAC', 'TWN']);

/** Political status (政治面貌代码), GB/T 4762-1984. */
export const POLITICAL_STATUS = codeTable('political-status', 'GB/T 4762-1984 (as published)', [
  ['01', '中国共产党党员', 'CPC member'],
  ['02', '中国共产党预备党员', 'CPC probationary member'],
  ['03', '中国共产主义青年团团员', 'CYLC member'],
  ['04', '中国国民党革命委员会会员', 'RCCK member'],
  ['05', '中国民主同盟盟员', 'CDL member'],
  ['06', '中国民主建国会会员', 'CNDCA member'],
  ['07', '中国民主促进会会员', 'CAPD member'],
  ['08', '中国农工民主党党员', 'CPWDP member'],
  ['09', '中国致公党党员', 'CZGP member'],
  ['10', '九三学社社员', 'Jiusan Society member'],
  ['11', '台湾民主自治同盟盟员', 'TDSGL member'],
  ['12', '无党派民主人士', 'Non-partisan'],
  ['13', '群众', 'Ordinary citizen'],
]);

/** Marital status (婚姻状况代码), GB/T 2261.2-2003. */
export const MARITAL_STATUS = codeTable('marital-status', 'GB/T 2261.2-2003 (as published)', [
  ['10', '未婚', 'Single'],
  ['20', '已婚', 'Married'],
  ['21', '初婚', 'First marriage'],
  ['22', '再婚', 'Remarried'],
  ['23', '复婚', 'Remarried to former spouse'],
  ['30', '丧偶', 'Widowed'],
  ['40', '离婚', 'Divorced'],
  ['90', '未说明的婚姻状况', 'Not stated'],
]);

/** Health (健康状况代码), GB/T 2261.3-2003, first-level codes. */
export const HEALTH = codeTable('health', 'GB/T 2261.3-2003 (first-level codes as published)', [
  ['1', '健康或良好', 'Healthy or good'],
  ['2', '一般或较弱', 'Fair or weak'],
  ['3', '有慢性病', 'Chronic illness'],
  ['6', '残疾', 'Disabled'],
]);
