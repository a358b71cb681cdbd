/*
 * The policy years page (年度参保政策). It holds no data: every draft is checked, compared, previewed,
 * priced and published by /graphql with the user's own token, through the operations of
 * schema/operations/policy-years.graphql (served as /policy-years/operations.json). Text from the API
 * and from the document is set as text, never as markup.
 */
'use strict';

(function policyYears() {
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  const KEYS = { token: 'policy-years.token', tenant: 'policy-years.tenant', year: 'policy-years.year', asOf: 'policy-years.asOf' };
  const ROLE_NAMES = { ADMIN: '医保局管理员', STAFF: '经办人员', BANK: '合作银行', TAX: '税务部门', AGENCY: '认定部门' };
  const CATEGORY_NAMES = {
    EXTREME_POVERTY: '特困人员',
    ORPHAN: '孤儿、事实无人抚养儿童',
    DIBAO: '低保对象',
    DIBAO_RURAL_1: '农村一类低保',
    DIBAO_RURAL_2: '农村二类低保',
    DIBAO_RURAL_3: '农村三类低保',
    DIBAO_RURAL_4: '农村四类低保',
    DIBAO_URBAN_FULL: '城市全额低保',
    DIBAO_URBAN_PARTIAL: '城市差额低保',
    DIBAO_MARGINAL: '低保边缘家庭成员',
    RETURNED_TO_POVERTY: '返贫致贫人口',
    AT_RISK_OF_POVERTY: '易返贫致贫人口',
    AT_RISK_UNSTABLE_LIFTED: '脱贫不稳定户',
    AT_RISK_MARGINAL: '边缘易致贫户',
    AT_RISK_SUDDEN_HARDSHIP: '突发严重困难户',
    LIFTED_OUT_OF_POVERTY: '已脱贫人口',
    SEVERE_DISABILITY: '重度残疾人',
    LOW_INCOME_VULNERABLE: '低收入人口',
    FAMILY_PLANNING: '计生特殊家庭成员',
    DOWNSIZED_1960S_WORKER: '六十年代精减退职老职工',
    SEVERE_MENTAL_DISORDER: '肇事肇祸精神障碍患者',
  };
  const OUTCOMES = {
    ENROLLMENT_CLOSED: '不能参保缴费',
    POLICY_NOT_CONFIGURED: '通知未载明',
    REFUND_NOT_ALLOWED: '不予退费',
    BAD_USER_INPUT: '条件不符',
    INVALID: '草稿有误，无法计算',
  };
  const KINDS = { ADDED: '新增', REMOVED: '删去', CHANGED: '修改' };

  let operations = null;
  let tenants = [];
  let auth = null;
  let current = null;

  const { ApiError } = window.BureauApi;

  const todayInChina = () =>
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  /** "1234567.00" → "1,234,567.00": the Money scalar's string, grouped, never through a float. */
  const money = (amount) => {
    if (amount === null || amount === undefined) return '—';
    const negative = String(amount).startsWith('-');
    const [yuan, fen = '00'] = String(amount).replace('-', '').split('.');
    return `${negative ? '−' : ''}${yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fen}`;
  };
  const count = new Intl.NumberFormat('zh-CN');

  // --- the API ---
  async function gql(name, variables) {
    return window.BureauApi.call(operations[name], name, variables, auth);
  }

  // --- what the page says ---
  const setStatus = (text) => {
    $('status').textContent = text;
  };
  const setState = (state) => {
    document.body.dataset.state = state;
  };
  function showMessage(title, lines) {
    const box = $('message');
    box.replaceChildren();
    const h = document.createElement('h2');
    h.textContent = title;
    box.append(h);
    for (const line of lines) {
      const p = document.createElement('p');
      p.textContent = line;
      box.append(p);
    }
    box.hidden = false;
  }
  const clearMessage = () => {
    $('message').hidden = true;
    $('message').replaceChildren();
  };
  function showError(err) {
    const said = `服务器答复：${err.message}（${err.code}）`;
    switch (err.code) {
      case 'UNAUTHENTICATED':
        return showMessage('令牌无效或已过期', ['请向系统管理员重新获取令牌后再试。', said]);
      case 'FORBIDDEN':
        return showMessage('无权进行此操作', ['起草、检查和发布年度政策需要医保局管理员（ADMIN）的令牌；发布还须由起草人以外的另一名管理员操作。', said]);
      case 'NETWORK':
        return showMessage('无法连接服务器', [err.message]);
      case 'BAD_USER_INPUT':
        return showMessage('请求未被接受', [said]);
      case 'CONFLICT':
        return showMessage('与已发布的版本冲突', [said]);
      case 'NOT_FOUND':
        return showMessage('没有找到', [said]);
      default:
        return showMessage('操作失败', [said]);
    }
  }

  function cell(tr, text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined || text === '' ? '—' : String(text);
    if (className) td.className = className;
    tr.append(td);
    return td;
  }

  /** Selects a line of the document in the editor, so that an officer sees where a problem is. */
  function goToLine(line) {
    const area = $('source');
    const lines = area.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    const end = start + (lines[line - 1] || '').length;
    area.focus();
    area.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
    area.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }

  function renderIssues(listId, countId, issues) {
    const list = $(listId);
    list.replaceChildren();
    $(countId).textContent = String(issues.length);
    for (const issue of issues) {
      const li = document.createElement('li');
      li.dataset.code = issue.code;
      if (issue.line) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'line secondary';
        button.textContent = `第 ${issue.line} 行`;
        button.addEventListener('click', () => goToLine(issue.line));
        li.append(button);
      }
      if (issue.path) {
        const code = document.createElement('code');
        code.textContent = issue.path;
        li.append(code, document.createTextNode('：'));
      }
      li.append(document.createTextNode(issue.message));
      if (issue.clause) {
        const clause = document.createElement('span');
        clause.className = 'clause';
        clause.textContent = `条款：${issue.clause}`;
        li.append(clause);
      }
      list.append(li);
    }
  }

  function renderChanges(draft) {
    const panel = $('comparison');
    const changes = draft.changes || [];
    if (!draft.comparedWith) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    $('comparisonTitle').textContent = `与 ${draft.comparedWith.coverageYear} 年度（第 ${draft.comparedWith.version} 版）比较`;
    const showCitations = $('showCitations').checked;
    const body = $('changes').tBodies[0];
    body.replaceChildren();
    const shown = changes.filter((c) => showCitations || !c.citation);
    for (const change of shown) {
      const tr = document.createElement('tr');
      const what = cell(tr, change.label || change.path);
      if (change.label) {
        const code = document.createElement('code');
        code.textContent = ` ${change.path}`;
        what.append(document.createElement('br'), code);
      }
      cell(tr, change.before);
      cell(tr, change.after);
      cell(tr, KINDS[change.kind] || change.kind);
      cell(tr, change.line);
      body.append(tr);
    }
    if (shown.length === 0) {
      const tr = document.createElement('tr');
      cell(tr, changes.length === 0 ? '与上一年度完全相同' : '只有条款引文有变化（勾选上方选项查看）').colSpan = 5;
      body.append(tr);
    }
  }

  function outcomeText(o) {
    if (!o) return '—';
    if (o.outcome !== 'OK') return `${o.date}：${OUTCOMES[o.outcome] || o.outcome}（${o.outcome}）${o.message ? `——${o.message}` : ''}`;
    if (o.refund !== null) return `${o.date}：退还 ${money(o.refund)} 元`;
    const parts = [`${o.date} 缴费：应缴 ${money(o.amountDue)} 元`];
    if (o.subsidy && o.subsidy !== '0.00')
      parts.push(`资助 ${money(o.subsidy)} 元${o.appliedCategory ? `（${CATEGORY_NAMES[o.appliedCategory] || o.appliedCategory}）` : ''}`);
    if (o.reimbursement && o.reimbursement !== '0.00') parts.push(`先缴后补 ${money(o.reimbursement)} 元`);
    if (o.late) parts.push('逾期');
    parts.push(o.coverage ? `待遇 ${o.coverage.start} 至 ${o.coverage.end}` : '待遇起始日通知未载明');
    if (o.unknowns && o.unknowns.length) parts.push(`待定：${o.unknowns.join('、')}`);
    return parts.join('，');
  }

  function renderPreview(draft) {
    const panel = $('previewPanel');
    const preview = draft.preview;
    if (!preview) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    $('previewTitle').textContent = preview.comparedWith
      ? `预演：标准情形（本草稿与 ${preview.comparedWith} 年度对照，${preview.differing} 项不同）`
      : '预演：标准情形（没有上一年度可对照）';
    const body = $('preview').tBodies[0];
    body.replaceChildren();
    for (const c of preview.cases) {
      const tr = document.createElement('tr');
      tr.dataset.key = c.key;
      if (c.differs) tr.className = 'differs';
      cell(tr, c.label);
      cell(tr, outcomeText(c.draft), c.draft.outcome === 'OK' ? '' : 'refused');
      cell(tr, outcomeText(c.before), c.before && c.before.outcome !== 'OK' ? 'refused' : '');
      cell(tr, c.differs ? '不同' : '');
      body.append(tr);
    }
  }

  function renderBudget(draft) {
    const panel = $('budgetPanel');
    const budget = draft.budget;
    if (!budget) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    $('budgetTitle').textContent = `预算测算（在册人员，截至 ${budget.asOf}）`;
    $('budgetSummary').textContent = budget.comparedWith
      ? `在册 ${count.format(budget.people)} 人。按本草稿，筹资合计 ${money(budget.total)} 元；按 ${budget.comparedWith} 年度，${money(budget.totalBefore)} 元。`
      : `在册 ${count.format(budget.people)} 人。按本草稿，筹资合计 ${money(budget.total)} 元。`;
    const categories = $('budgetCategories').tBodies[0];
    categories.replaceChildren();
    for (const c of budget.categories) {
      const tr = document.createElement('tr');
      cell(tr, c.category ? CATEGORY_NAMES[c.category] || c.category : '无资助的居民');
      cell(tr, count.format(c.people), 'money');
      cell(tr, money(c.subsidy), 'money');
      cell(tr, money(c.subsidyBefore), 'money');
      categories.append(tr);
    }
    const payers = $('budgetPayers');
    payers.tBodies[0].replaceChildren();
    for (const p of budget.payers) {
      const tr = document.createElement('tr');
      tr.dataset.source = p.source;
      cell(tr, p.name);
      cell(tr, money(p.amount), 'money');
      cell(tr, money(p.before), 'money');
      cell(tr, p.difference === null ? '—' : money(p.difference), 'money');
      payers.tBodies[0].append(tr);
    }
    payers.tFoot.replaceChildren();
    const total = document.createElement('tr');
    cell(total, '合计');
    cell(total, money(budget.total), 'money');
    cell(total, money(budget.totalBefore), 'money');
    cell(total, '', 'money');
    payers.tFoot.append(total);
    const notes = $('budgetNotes');
    notes.replaceChildren();
    for (const note of budget.notes) {
      const li = document.createElement('li');
      li.textContent = note;
      notes.append(li);
    }
  }

  function renderDraft(draft, { replaceSource }) {
    current = draft;
    clearMessage();
    if (replaceSource) $('source').value = draft.source;
    $('draftId').value = draft.id;
    $('result').hidden = false;
    const compared = draft.comparedWith ? `对照 ${draft.comparedWith.coverageYear} 年度第 ${draft.comparedWith.version} 版` : '没有上一年度可对照';
    const replaces = draft.replaces ? `；发布后取代 ${draft.coverageYear} 年度现行的第 ${draft.replaces.version} 版` : '';
    const started = draft.startedFromYear ? `；由 ${draft.startedFromYear} 年度第 ${draft.startedFromVersion} 版生成` : '';
    const summary = $('summary');
    summary.replaceChildren();
    summary.append(document.createTextNode(`草稿编号 ${draft.id}，${draft.coverageYear} 年度，起草人 ${draft.author}；${compared}${replaces}${started}。`));
    const verdict = document.createElement('strong');
    if (draft.published) {
      verdict.className = 'good';
      verdict.textContent = `已由 ${draft.published.publishedBy} 发布为第 ${draft.published.version} 版。`;
    } else if (draft.publishable) {
      verdict.className = 'good';
      verdict.textContent = '没有错误，可以交另一名管理员审核发布。';
    } else {
      verdict.className = 'bad';
      verdict.textContent = `有 ${draft.errors.length} 个错误，改正并重新检查之前不能发布。`;
    }
    summary.append(verdict);
    renderIssues('errors', 'errorCount', draft.errors);
    renderIssues('warnings', 'warningCount', draft.warnings);
    renderChanges(draft);
    renderPreview(draft);
    renderBudget(draft);
    $('publishPanel').hidden = false;
    $('reviewed').checked = false;
    $('publishResult').textContent = '';
    updatePublish();
    setState('ready');
  }

  function updatePublish() {
    $('publish').disabled = !(current && current.publishable && !current.published && $('reviewed').checked);
  }

  async function renderVersions() {
    if (!auth) return;
    const year = Number($('year').value) || null;
    try {
      const { policyVersions } = await gql('PolicyPageVersions', { coverageYear: null });
      const body = $('versions').tBodies[0];
      body.replaceChildren();
      for (const v of policyVersions.filter((x) => !year || Math.abs(x.coverageYear - year) <= 1)) {
        const tr = document.createElement('tr');
        cell(tr, v.coverageYear);
        cell(tr, `第 ${v.version} 版`);
        cell(tr, v.origin === 'API' ? '本页发布' : 'tenants/ 文件');
        cell(tr, v.noticeNumber);
        cell(tr, v.draftedBy);
        cell(tr, v.publishedBy);
        cell(tr, v.publishedAt ? new Date(v.publishedAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }) : '');
        cell(tr, v.inForce ? '现行' : '已被取代');
        body.append(tr);
      }
      $('versionsTitle').textContent = `已发布的版本（${auth.tenantName}）`;
      $('versionsPanel').hidden = false;
    } catch {
      $('versionsPanel').hidden = true;
    }
  }

  // --- actions ---
  function settingsOrSay() {
    const token = $('token')
      .value.trim()
      .replace(/^Bearer\s+/i, '');
    const tenant = $('tenant').value;
    const year = Number($('year').value);
    if (!token || !tenant || !Number.isInteger(year)) {
      showMessage('请先填写', ['访问令牌、参保地区和待遇年度都要填写。']);
      return null;
    }
    return { token, tenant, year };
  }

  async function connect() {
    const s = settingsOrSay();
    if (!s) return false;
    store.setItem(KEYS.token, s.token);
    store.setItem(KEYS.tenant, s.tenant);
    store.setItem(KEYS.year, String(s.year));
    store.setItem(KEYS.asOf, $('asOf').value);
    auth = { token: s.token, tenant: s.tenant, tenantName: (tenants.find((t) => t.code === s.tenant) || {}).name || s.tenant };
    setStatus('正在核对令牌…');
    try {
      const { viewer } = await gql('PolicyPageViewer', {});
      $('who').textContent = `${viewer.tenant.name}（${viewer.tenant.code}） · ${ROLE_NAMES[viewer.role] || viewer.role} · ${viewer.sub}`;
      $('who').hidden = false;
      auth.sub = viewer.sub;
      clearMessage();
      setStatus(viewer.role === 'ADMIN' ? '令牌有效：可以起草、检查和发布。' : '此令牌不是管理员令牌：只能查看已发布的版本。');
      await renderVersions();
      setState('idle');
      return true;
    } catch (err) {
      setStatus('');
      showError(err);
      setState('failed');
      return false;
    }
  }

  async function withAuth(action) {
    if (
      !auth ||
      auth.token !==
        $('token')
          .value.trim()
          .replace(/^Bearer\s+/i, '') ||
      auth.tenant !== $('tenant').value
    ) {
      if (!(await connect())) return;
    }
    setState('busy');
    try {
      await action();
    } catch (err) {
      setStatus('');
      showError(err);
      setState('failed');
    }
  }

  const asOf = () => $('asOf').value || todayInChina();

  async function check() {
    await withAuth(async () => {
      setStatus('正在检查草稿…');
      const { draftPolicyYear } = await gql('PolicyPageDraft', {
        input: { tenant: auth.tenant, coverageYear: Number($('year').value), source: $('source').value },
        asOf: asOf(),
      });
      renderDraft(draftPolicyYear, { replaceSource: false });
      setStatus(`已检查：${draftPolicyYear.errors.length} 个错误，${draftPolicyYear.warnings.length} 个警告。`);
    });
  }

  async function startNext() {
    await withAuth(async () => {
      setStatus('正在从上一年度生成草稿…');
      const { draftNextPolicyYear } = await gql('PolicyPageDraftNextYear', { tenant: auth.tenant, coverageYear: Number($('year').value) });
      renderDraft({ ...draftNextPolicyYear, changes: [], preview: null, budget: null, replaces: null, published: null }, { replaceSource: true });
      setStatus(`已生成 ${draftNextPolicyYear.coverageYear} 年度草稿：${draftNextPolicyYear.errors.length} 处待填写。`);
    });
  }

  async function openDraft() {
    const id = $('draftId').value.trim();
    if (!id) return showMessage('请输入草稿编号', ['起草人检查草稿后，页面上会显示草稿编号。']);
    await withAuth(async () => {
      setStatus('正在打开草稿…');
      const { policyDraft } = await gql('PolicyPageDraftById', { id, asOf: asOf() });
      if (!policyDraft) {
        setStatus('');
        showMessage('没有找到', [`${auth.tenantName}没有编号为 ${id} 的草稿。`]);
        setState('failed');
        return;
      }
      $('year').value = String(policyDraft.coverageYear);
      renderDraft(policyDraft, { replaceSource: true });
      setStatus(`已打开草稿 ${policyDraft.id}（起草人 ${policyDraft.author}），并按现行版本重新检查。`);
    });
  }

  async function publish() {
    if (!current) return;
    await withAuth(async () => {
      setStatus('正在发布…');
      const { publishPolicyYear } = await gql('PolicyPagePublish', { draftId: current.id });
      const { policyDraft } = await gql('PolicyPageDraftById', { id: current.id, asOf: asOf() });
      renderDraft(policyDraft, { replaceSource: false });
      await renderVersions();
      $('publishResult').textContent =
        `已发布：${publishPolicyYear.coverageYear} 年度第 ${publishPolicyYear.version} 版，个人缴费 ${money(publishPolicyYear.individualContribution)} 元，即时在所有服务器生效。`;
      setStatus('发布完成。');
    });
  }

  async function upload(file) {
    if (!file) return;
    if (file.size > 500000) return showMessage('文件太大', ['年度政策文档不应超过 500 KB。']);
    $('source').value = await file.text();
    setStatus(`已读入 ${file.name}，点“检查草稿”检查。`);
  }

  async function init() {
    setState('starting');
    $('asOf').value = store.getItem(KEYS.asOf) || todayInChina();
    $('year').value = store.getItem(KEYS.year) || String(Number(todayInChina().slice(0, 4)) + 1);
    $('token').value = store.getItem(KEYS.token) || '';
    try {
      const response = await fetch('/policy-years/operations.json', { cache: 'no-cache', credentials: 'omit' });
      operations = await response.json();
      tenants = (await gql('PolicyPageTenants', {})).tenants;
    } catch (err) {
      showError(err instanceof ApiError ? err : new ApiError('NETWORK', err.message));
      setState('failed');
      return;
    }
    const select = $('tenant');
    select.replaceChildren();
    for (const t of tenants) {
      const option = document.createElement('option');
      option.value = t.code;
      option.textContent = `${t.name}（${t.code}）`;
      select.append(option);
    }
    const remembered = store.getItem(KEYS.tenant);
    if (remembered && tenants.some((t) => t.code === remembered)) select.value = remembered;

    $('settings').addEventListener('submit', (event) => {
      event.preventDefault();
      void connect();
    });
    $('forget').addEventListener('click', () => {
      for (const key of Object.values(KEYS)) store.removeItem(key);
      $('token').value = '';
      auth = null;
      $('who').hidden = true;
      setStatus('令牌已清除。');
    });
    $('check').addEventListener('click', () => void check());
    $('startNext').addEventListener('click', () => void startNext());
    $('open').addEventListener('click', () => void openDraft());
    $('publish').addEventListener('click', () => void publish());
    $('reviewed').addEventListener('change', updatePublish);
    $('showCitations').addEventListener('change', () => current && renderChanges(current));
    $('upload').addEventListener('change', (event) => void upload(event.target.files[0]));
    setStatus('填写令牌、地区和年度，然后粘贴、上传或生成草稿。');
    setState('idle');
  }

  void init();
})();
