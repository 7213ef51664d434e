/**
 * Texts of the API's error codes in Chinese (default) and English. A code's meaning never changes;
 * its texts may be improved.
 */
export type Lang = 'zh-CN' | 'en';

export const ERROR_TEXTS: Readonly<Record<string, { 'zh-CN': string; en: string }>> = {
  // Metrics, KPI targets and imports.
  ACCOUNT_AMBIGUOUS: { 'zh-CN': '有多个账号同名，请使用账号 ID', en: 'Several accounts match; use the id' },
  SANDBOX_ACCOUNT: {
    'zh-CN': '沙箱账号只能通过运行中的服务补采',
    en: 'Backfill a sandbox account through the running service',
  },
  INVALID_DATE: {
    'zh-CN': '日期无效（格式 YYYY-MM-DD，北京时间的日期）',
    en: 'Not a valid date (YYYY-MM-DD, an Asia/Shanghai day)',
  },
  RANGE_NOT_FINAL: {
    'zh-CN': '平台数据次日才可获取（T+1），结束日期最晚为昨天',
    en: 'Platform data are available the next day (T+1): the range must end by yesterday',
  },
  RANGE_TOO_EARLY: { 'zh-CN': '平台数据从 2014-12-01 起才有', en: 'Platform data start on 2014-12-01' },
  BACKFILL_NOT_FOUND: { 'zh-CN': '补采任务不存在', en: 'No such backfill' },
  KPI_CONTRACT_REVERSED: {
    'zh-CN': '合同开始日期必须早于结束日期',
    en: 'The contract must start before it ends',
  },
  KPI_NO_MILESTONES: { 'zh-CN': '至少需要一个里程碑目标', en: 'At least one milestone is needed' },
  KPI_BAD_VALUE: { 'zh-CN': '目标值必须是不小于 0 的数字', en: 'Target values must be non-negative numbers' },
  KPI_BASELINE_REQUIRED: { 'zh-CN': '百分比目标需要先设置基线', en: 'A percentage target needs a baseline' },
  KPI_MILESTONE_AFTER_CONTRACT: {
    'zh-CN': '里程碑日期晚于合同结束日期',
    en: 'A milestone is dated after the contract end',
  },
  KPI_DEADLINE_BEFORE_BASELINE: {
    'zh-CN': '目标期限不能早于基线期',
    en: 'A target deadline lies before the end of its baseline',
  },
  KPI_QUOTA_SHAPE: {
    'zh-CN': '数量指标只需一个绝对值里程碑（每个周期要求的数量）',
    en: 'A quota has one absolute milestone: the count required per period',
  },
  ACCOUNT_NOT_IN_ORGANISATION: {
    'zh-CN': '该账号不属于这个单位',
    en: 'The account does not belong to this organisation',
  },
  KPI_TARGET_NOT_FOUND: { 'zh-CN': 'KPI 目标不存在', en: 'No such KPI target' },
  // Monthly reports.
  INVALID_MONTH: { 'zh-CN': '月份无效（格式 YYYY-MM）', en: 'Not a valid month (YYYY-MM)' },
  REPORT_MONTH_IN_FUTURE: { 'zh-CN': '该月份尚未开始，不能生成月报', en: 'That month has not started yet' },
  REPORT_NOT_FOUND: { 'zh-CN': '月报不存在', en: 'No such report' },
  REPORT_NOT_READY: {
    'zh-CN': '月报尚未生成完成，请稍后再下载',
    en: 'The report has not been generated yet',
  },
  REPORT_FILE_MISSING: {
    'zh-CN': '月报文件丢失，请重新生成',
    en: 'The report file is missing; regenerate it',
  },
  REPORT_FILE_CORRUPT: {
    'zh-CN': '月报文件校验失败（SHA-256 不符），已拒绝下载，请重新生成',
    en: 'The report file does not match its SHA-256; regenerate it',
  },
  CHROMIUM_MISSING: {
    'zh-CN': '未找到可用的 Chromium，无法生成 PDF（请安装 chromium 或设置 CHROMIUM_PATH）',
    en: 'No usable Chromium to print PDFs (install chromium or set CHROMIUM_PATH)',
  },
  CHROMIUM_CRASHED: {
    'zh-CN': '生成 PDF 时浏览器意外退出',
    en: 'Chromium stopped while printing the report',
  },
  RENDER_TIMEOUT: { 'zh-CN': '生成 PDF 超时', en: 'Printing the report timed out' },
  IMPORT_UNKNOWN_ACCOUNT: {
    'zh-CN': '导入文件中的账号不属于本单位',
    en: 'The file names an account this organisation does not have',
  },
  IMPORT_NOT_FOUND: { 'zh-CN': '导入记录不存在', en: 'No such import' },
  IMPORT_NOT_PENDING: {
    'zh-CN': '该导入已应用或已放弃，不能再次应用',
    en: 'This import was already applied or discarded',
  },
  IMPORT_EXPIRED: {
    'zh-CN': '预览已超过 24 小时，请重新上传文件',
    en: 'The preview is older than 24 hours; upload the file again',
  },
  IMPORT_NOT_MULTIPART: {
    'zh-CN': '请以 multipart/form-data 上传文件',
    en: 'Upload the file as multipart/form-data',
  },
  IMPORT_MISSING_FILE: { 'zh-CN': '请求中没有文件', en: 'The request holds no file' },
  VALIDATION_FAILED: { 'zh-CN': '请求参数不符合要求', en: 'The request is not valid' },
  INVALID_JSON: { 'zh-CN': '请求体不是有效的 JSON', en: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { 'zh-CN': '不支持的内容类型', en: 'Unsupported content type' },
  PAYLOAD_TOO_LARGE: { 'zh-CN': '请求体过大', en: 'The request body is too large' },
  BAD_REQUEST: { 'zh-CN': '请求无效', en: 'Bad request' },
  ROUTE_NOT_FOUND: { 'zh-CN': '请求的地址不存在', en: 'No such route' },
  METHOD_NOT_ALLOWED: { 'zh-CN': '不支持该请求方法', en: 'Method not allowed' },
  RATE_LIMITED: { 'zh-CN': '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  INTERNAL_ERROR: {
    'zh-CN': '服务器内部错误，请联系运维人员',
    en: 'Internal server error; please contact the operators',
  },
  SERVICE_UNAVAILABLE: { 'zh-CN': '服务暂不可用', en: 'Service unavailable' },
  UNAUTHENTICATED: { 'zh-CN': '请先登录', en: 'Sign in first' },
  FORBIDDEN: { 'zh-CN': '没有执行此操作的权限', en: 'You may not do this' },
  WRONG_SURFACE: {
    'zh-CN': '此会话不能用于该入口（后台与客户门户分开登录）',
    en: 'This session belongs to the other surface',
  },
  IP_NOT_ALLOWED: {
    'zh-CN': '当前网络不在后台访问白名单内',
    en: 'The backend is not reachable from this network',
  },
  CSRF_TOKEN_INVALID: { 'zh-CN': '请求校验失败，请刷新页面后重试', en: 'Missing or wrong CSRF token' },
  PASSWORD_CHANGE_REQUIRED: { 'zh-CN': '请先修改密码', en: 'Change your password first' },
  TOTP_ENROLMENT_REQUIRED: { 'zh-CN': '请先设置双因素认证', en: 'Set up two-factor sign-in first' },
  INVALID_CREDENTIALS: { 'zh-CN': '用户名或密码错误', en: 'Wrong username or password' },
  ACCOUNT_LOCKED: {
    'zh-CN': '登录失败次数过多，账号已临时锁定',
    en: 'Too many failures; the account is locked for a while',
  },
  LOGIN_THROTTLED: {
    'zh-CN': '登录尝试过于频繁，请稍后再试',
    en: 'Too many sign-in attempts; try again later',
  },
  OTP_REQUIRED: { 'zh-CN': '请输入动态验证码', en: 'Enter the one-time code' },
  INVALID_OTP: { 'zh-CN': '动态验证码错误', en: 'The one-time code is wrong' },
  TOTP_ALREADY_ENABLED: { 'zh-CN': '双因素认证已设置', en: 'Two-factor sign-in is already set up' },
  TOTP_NOT_ENROLLED: { 'zh-CN': '请先开始双因素认证设置', en: 'Start the enrolment first' },
  PASSWORD_POLICY: { 'zh-CN': '密码不符合安全策略', en: 'The password does not meet the policy' },
  PASSWORD_TOO_LONG: { 'zh-CN': '密码过长', en: 'The password is too long' },
  PASSWORD_REUSED: { 'zh-CN': '不能使用最近用过的密码', en: 'Do not reuse a recent password' },
  USER_NOT_FOUND: { 'zh-CN': '用户不存在', en: 'No such user' },
  USERNAME_TAKEN: { 'zh-CN': '用户名已被使用', en: 'That username is taken' },
  ORGANISATION_REQUIRED: {
    'zh-CN': '客户门户用户必须属于一个机构',
    en: 'Portal users belong to one organisation',
  },
  ORGANISATION_NOT_ALLOWED: {
    'zh-CN': '后台用户不属于客户机构',
    en: 'Backend users belong to no client organisation',
  },
  ORGANISATION_NOT_FOUND: { 'zh-CN': '机构不存在', en: 'No such organisation' },
  ORGANISATION_SLUG_TAKEN: { 'zh-CN': '机构简称已被使用', en: 'That short name is taken' },
  SUPERADMIN_EXISTS: {
    'zh-CN': '已有超级管理员，请使用移交功能',
    en: 'A superadmin already exists; hand the role over instead',
  },
  SUPERADMIN_HANDOVER_ONLY: {
    'zh-CN': '超级管理员角色只能通过移交变更',
    en: 'The superadmin role changes hands only by handover',
  },
  SUPERADMIN_REQUIRED: { 'zh-CN': '只有超级管理员可以执行此操作', en: 'Only the superadmin may do this' },
  HANDOVER_TARGET_INVALID: { 'zh-CN': '移交对象无效', en: 'Invalid handover target' },
  SURFACE_CHANGE: {
    'zh-CN': '不能在后台角色与门户角色之间变更',
    en: 'A role cannot move between backend and portal',
  },
  SELF_GRANT: { 'zh-CN': '不能修改自己的角色', en: 'You cannot change your own role' },
  SELF_RESET: { 'zh-CN': '不能重置自己的双因素认证', en: 'You cannot reset your own second factor' },
  ACCOUNT_NOT_FOUND: { 'zh-CN': '账号不存在', en: 'No such account' },
  ACCOUNT_EXISTS: { 'zh-CN': '该平台账号已登记', en: 'That account is already registered' },
  ACCOUNT_DISABLED: { 'zh-CN': '该账号已停用', en: 'The account is disabled' },
  CREDENTIALS_MISSING: { 'zh-CN': '账号缺少平台凭据', en: 'The account has no credentials' },
  UNKNOWN_CREDENTIAL: { 'zh-CN': '该平台没有这种凭据', en: 'That platform has no such credential' },
  SECRET_UNREADABLE: {
    'zh-CN': '凭据无法解密，请重新录入',
    en: 'The credential cannot be decrypted; enter it again',
  },
  WECHAT_FIELDS_REQUIRED: {
    'zh-CN': '微信公众号须填写类型与发布方式',
    en: 'WeChat accounts need kind and publish mode',
  },
  WECHAT_FIELDS_NOT_ALLOWED: {
    'zh-CN': '微博账号不能填写公众号字段',
    en: 'Weibo accounts take no WeChat fields',
  },
  FREEPUBLISH_NEEDS_VERIFIED: {
    'zh-CN': '发布（freepublish）需要已认证的公众号',
    en: 'freepublish needs a verified account',
  },
  PLATFORM_NOT_SUPPORTED: { 'zh-CN': '该平台不支持此操作', en: 'The platform does not support this' },
  CONTENT_NOT_FOUND: { 'zh-CN': '内容不存在', en: 'No such content' },
  REVISION_NOT_FOUND: { 'zh-CN': '该版本不存在', en: 'No such revision' },
  CONTENT_FIELD_INVALID: { 'zh-CN': '内容字段不符合要求', en: 'A content field is not valid' },
  CONTENT_KIND_MISMATCH: {
    'zh-CN': '内容类型与账号平台不符（公众号为图文群发，微博为微博）',
    en: 'The content kind does not match the account',
  },
  TOO_MANY_ARTICLES: { 'zh-CN': '一次群发最多 8 篇文章', en: 'An edition holds at most 8 articles' },
  CONTENT_LOCKED: {
    'zh-CN': '内容正在发布或已结束，不能再修改',
    en: 'Content that is publishing or done cannot be edited',
  },
  CONTENT_CONFLICT: {
    'zh-CN': '内容已被他人修改，请刷新后再操作',
    en: 'The content changed meanwhile; reload it',
  },
  CONTENT_INCOMPLETE: { 'zh-CN': '内容尚不完整，不能提交审核', en: 'The content is not ready for review' },
  INVALID_TRANSITION: { 'zh-CN': '内容当前状态不允许此操作', en: 'The content’s status does not allow this' },
  USE_RESCHEDULE: { 'zh-CN': '已排期的内容请使用“改期”', en: 'Scheduled content is moved with reschedule' },
  PROOFREADING_BLOCKED: {
    'zh-CN': '校对发现必须修改的问题，修改后再提交（编辑可填写理由放行）',
    en: 'Proofreading found blocking problems',
  },
  NOT_A_REVIEWER: { 'zh-CN': '您不是该机构内容的审核人', en: 'You are not a reviewer of this organisation' },
  SELF_APPROVAL_FORBIDDEN: {
    'zh-CN': '本机构不允许审核自己撰写的内容',
    en: 'Your organisation does not let authors approve their own content',
  },
  ALREADY_REVIEWED: {
    'zh-CN': '每一审须由不同的人完成，您已审核过该版本',
    en: 'Each review step needs a different person',
  },
  REJECT_REASON_REQUIRED: { 'zh-CN': '驳回时请填写意见', en: 'Say why the content is rejected' },
  REVIEWER_INVALID: {
    'zh-CN': '审核人须为有审核权限的后台用户',
    en: 'Reviewers must be backend users who may review',
  },
  SCHEDULE_INVALID: { 'zh-CN': '发布时间无效', en: 'Not a valid time' },
  SCHEDULE_IN_PAST: { 'zh-CN': '发布时间已过，请选择将来的时间', en: 'The publish time has passed' },
  SCHEDULE_BEYOND_HORIZON: {
    'zh-CN': '发布时间超出可排期范围',
    en: 'The publish time is beyond the scheduling horizon',
  },
  RANGE_INVALID: { 'zh-CN': '日期范围无效：开始须早于结束', en: 'The range is not valid' },
  RANGE_TOO_LONG: { 'zh-CN': '日期范围过长', en: 'The range is too long' },
  CALENDAR_OVERRIDE_NOT_FOUND: { 'zh-CN': '该日期没有调整记录', en: 'No override for that day' },
  MEDIA_NOT_FOUND: { 'zh-CN': '图片不存在或不属于本机构', en: 'No such image' },
  MEDIA_TOO_LARGE: { 'zh-CN': '文件过大', en: 'The file is too large' },
  MEDIA_TYPE_REFUSED: {
    'zh-CN': '只接受 JPEG、PNG、GIF 图片（按文件内容识别，而非扩展名）',
    en: 'Only JPEG, PNG and GIF images are accepted',
  },
  MEDIA_UNREADABLE: { 'zh-CN': '图片已损坏或不完整', en: 'The image is damaged or truncated' },
  MASSSEND_QUOTA_USED: {
    'zh-CN': '该订阅号当天的群发次数已用完，请并入当天的群发或改期',
    en: 'The subscription account has used its mass send for that day',
  },
  ALERT_CHANNEL_INVALID: { 'zh-CN': '提醒渠道设置不正确', en: 'The channel settings are not valid' },
  ALERT_CHANNEL_NOT_FOUND: { 'zh-CN': '提醒渠道不存在', en: 'No such alert channel' },
  MEDIA_IN_USE: { 'zh-CN': '图片已被内容使用，不能删除', en: 'The image is used by content' },
  ARTICLE_NOT_FOUND: { 'zh-CN': '该位置没有文章', en: 'No article at that position' },
  EDITION_NEEDS_ARTICLE: { 'zh-CN': '群发至少保留一篇文章', en: 'An edition keeps at least one article' },
  MEDIA_EMPTY: { 'zh-CN': '文件为空', en: 'The file is empty' },
  MEDIA_MISSING: { 'zh-CN': '请求中没有文件', en: 'The request holds no file' },
  MEDIA_NOT_MULTIPART: {
    'zh-CN': '请以 multipart/form-data 上传图片',
    en: 'Upload the image as multipart/form-data',
  },
  PROOF_ENTRY_EXISTS: { 'zh-CN': '该词条已存在', en: 'That list already has this pattern' },
  PROOF_ENTRY_NOT_FOUND: { 'zh-CN': '词条不存在', en: 'No such entry' },
  PROOF_EXCEPTION_INVALID: { 'zh-CN': '例外词须包含该词条', en: 'Every exception must contain the pattern' },
  PROOF_SUGGESTION_SAME: { 'zh-CN': '建议改为的内容与原词相同', en: 'The suggestion equals the pattern' },
  CAMPAIGN_NOT_FOUND: { 'zh-CN': '活动不存在', en: 'No such campaign' },
  CAMPAIGN_DATES_REVERSED: {
    'zh-CN': '活动的结束日期早于开始日期',
    en: 'The campaign ends before it starts',
  },
  CAMPAIGN_TOO_SHORT: {
    'zh-CN': '合同只计入持续至少 7 天的活动；如确为短期活动，请标记为短期活动（不计入合同的年度活动数量）',
    en: 'The contract counts only campaigns of at least 7 days; mark a shorter one as a short event',
  },
  CAMPAIGN_TOO_LONG: { 'zh-CN': '单个活动最长 366 天', en: 'A campaign lasts at most 366 days' },
  CAMPAIGN_CONTENT_FOREIGN: {
    'zh-CN': '该内容属于其他机构，不能关联到本活动',
    en: "The content belongs to another organisation than the campaign's",
  },
  DELIVERABLE_NOT_FOUND: { 'zh-CN': '交付物（定制栏目/专题页）不存在', en: 'No such deliverable' },
  IMPORT_INVALID: {
    'zh-CN': '导入文件有错误，未导入任何数据',
    en: 'The import file has problems; nothing was imported',
  },
  IMPORT_UNREADABLE: {
    'zh-CN': '无法读取文件，请上传 XLSX 或 CSV 文件',
    en: 'The file is neither a readable XLSX nor CSV file',
  },
  IMPORT_EMPTY: { 'zh-CN': '文件中没有数据行', en: 'The file holds no data rows' },
  IMPORT_TOO_LARGE: { 'zh-CN': '文件行数过多，请拆分后分别导入', en: 'The file has too many rows; split it' },
  IMPORT_UNKNOWN_COLUMN: { 'zh-CN': '无法识别的列', en: 'Unknown column' },
  IMPORT_DUPLICATE_COLUMN: { 'zh-CN': '列重复', en: 'The column appears twice' },
  IMPORT_MISSING_COLUMN: { 'zh-CN': '缺少必需的列', en: 'A required column is missing' },
  IMPORT_MISSING_VALUE: { 'zh-CN': '必填的单元格为空', en: 'A required cell is empty' },
  IMPORT_BAD_VALUE: { 'zh-CN': '单元格内容无法使用', en: 'The cell cannot be used' },
  IMPORT_TOO_LONG: { 'zh-CN': '单元格内容过长', en: 'The cell is too long' },
  IMPORT_BAD_DATE: {
    'zh-CN': '日期须为北京时间的日历日，不含时间和时区，如 2021-11-01',
    en: 'Dates are Asia/Shanghai calendar days without a time, e.g. 2021-11-01',
  },
  IMPORT_DATE_NOT_FINAL: {
    'zh-CN': '该日数据尚未完整，最晚只能导入昨天的数据',
    en: 'That day is not final yet; the latest importable day is yesterday',
  },
  IMPORT_BAD_NUMBER: { 'zh-CN': '数值须为不小于 0 的整数', en: 'Figures are non-negative whole numbers' },
  IMPORT_EMPTY_ROW: { 'zh-CN': '该行没有任何数据', en: 'The row has no figures' },
  IMPORT_DUPLICATE_ROW: { 'zh-CN': '与前面的行重复', en: 'The row repeats an earlier row' },
  IMPORT_CONFLICTING_ROWS: {
    'zh-CN': '同一账号同一日期有两行不同的数据',
    en: 'Two rows give different figures for the same day',
  },
};

/** Picks zh-CN unless the Accept-Language header prefers English. */
export function pickLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'zh-CN';
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag, q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((x) => x.tag.startsWith('zh') || x.tag.startsWith('en'))
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.tag.startsWith('en') ? 'en' : 'zh-CN';
}

/** The text for a code in a language, or `fallback` when the code has no catalogue entry. */
export function errorText(code: string, lang: Lang, fallback: string): string {
  return ERROR_TEXTS[code]?.[lang] ?? fallback;
}
