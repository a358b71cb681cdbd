/*
 * The bureau dashboard (征缴进度看板). It holds no data: every figure is asked of /graphql with the
 * user's own token, through the operations of schema/operations/dashboard.graphql (served as
 * /dashboard/operations.json), and drawn with ECharts (served from the installed package). Text from
 * the API is set as text, never as markup.
 */
'use strict';

(function dashboard() {
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  const KEYS = { token: 'dashboard.token', tenant: 'dashboard.tenant', year: 'dashboard.year', asOf: 'dashboard.asOf', scope: 'dashboard.scope' };
  const ROLE_NAMES = { ADMIN: '医保局管理员', STAFF: '经办人员', BANK: '合作银行', TAX: '税务部门', AGENCY: '认定部门（民政、乡村振兴、残联）' };
  const DAILY_DAYS = 14;
  /** Requests in flight at once: enough to be quick, few enough to leave the server's pool to the clerks. */
  const PARALLEL = 4;
  const COLORS = { target: '#cbd5e1', paid: '#2563eb', required: '#dc2626', line: '#0f766e', followUps: '#d97706' };
  const CHANNEL_COLORS = ['#2563eb', '#0f766e', '#d97706', '#7c3aed', '#db2777', '#65a30d', '#0891b2', '#9a3412'];

  const count = new Intl.NumberFormat('zh-CN');
  const percent = new Intl.NumberFormat('zh-CN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const fmt = (n) => (n === null || n === undefined ? '—' : count.format(n));
  const pct = (r) => (r === null || r === undefined ? '—' : percent.format(r));
  const share = (s) => `${Math.round(s * 1000) / 10}%`;

  let operations = null;
  let tenants = [];
  const charts = {};

  const { ApiError } = window.BureauApi;

  // --- dates: calendar dates in China Standard Time, as the API's Date scalar ---
  const todayInChina = () =>
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const addDays = (date, days) => {
    const d = new Date(`${date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  };
  const daysBetween = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000);
  const chineseDate = (date) => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
  /** "1234567.00" → "1,234,567.00": the Money scalar's string, grouped, never through a float. */
  const money = (amount) => {
    const [yuan, fen = '00'] = String(amount).split('.');
    return `${yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fen}`;
  };

  // --- the API ---
  async function gql(name, variables, auth) {
    return window.BureauApi.call(operations[name], name, variables, auth);
  }

  /** fn over items, at most PARALLEL at a time, results in the items' order. */
  async function mapLimited(items, fn) {
    const out = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
    return out;
  }

  // --- the page's state ---
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

  function errorMessage(err, viewer) {
    switch (err.code) {
      case 'UNAUTHENTICATED':
        return ['令牌无效或已过期', ['请向系统管理员重新获取令牌后再试。', `服务器答复：${err.message}（${err.code}）`]];
      case 'FORBIDDEN':
        if (viewer && viewer.role !== 'ADMIN' && viewer.role !== 'STAFF') {
          return [
            '此令牌无权查看征缴进度',
            [
              `当前令牌的角色是“${ROLE_NAMES[viewer.role] || viewer.role}”（${viewer.role}）。征缴进度看板仅供医保局管理员（ADMIN）和经办人员（STAFF）使用，服务器已拒绝本次查询。`,
              '请使用医保局或乡镇经办人员的令牌。',
              `服务器答复：${err.message}（${err.code}）`,
            ],
          ];
        }
        return ['无权访问所选地区', ['此令牌不能代表所选的参保地区；请选择令牌所属的地区，或换用该地区的令牌。', `服务器答复：${err.message}（${err.code}）`]];
      case 'NETWORK':
        return ['无法连接服务器', [err.message]];
      default:
        if (!(err instanceof ApiError)) return ['页面出错', [`看板在显示数据时出错：${err.message}。请刷新页面；如仍出错，请联系系统管理员。`]];
        return ['查询失败', [`服务器答复：${err.message}（${err.code}）`]];
    }
  }

  /** The tenants the token may act for, read from its payload to preselect one; the server verifies it. */
  function tokenTenants(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
      return Array.isArray(claims.tenants) ? claims.tenants : [];
    } catch {
      return [];
    }
  }

  function fillYears(tenantCode, wanted) {
    const tenant = tenants.find((t) => t.code === tenantCode);
    const years = tenant ? [...tenant.coverageYears].sort((a, b) => b - a) : [];
    const select = $('year');
    select.replaceChildren(...years.map((y) => new Option(`${y} 年度`, String(y))));
    if (wanted && years.includes(Number(wanted))) select.value = String(wanted);
  }

  function chart(id) {
    const el = $(id);
    if (!charts[id]) charts[id] = echarts.init(el, null, { renderer: 'svg', locale: 'ZH' });
    return charts[id];
  }

  function placeholder(id, text) {
    chart(id).setOption(
      { title: { text, left: 'center', top: 'middle', textStyle: { color: '#52606d', fontSize: 14, fontWeight: 'normal' } }, xAxis: [], yAxis: [], series: [] },
      true,
    );
  }

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

  // --- the charts ---
  function drawRegions(rows, milestone, areaWord) {
    if (rows.length === 0) return placeholder('chartRegions', `本地区尚未设定下级${areaWord}`);
    const names = rows.map((r) => r.region.name);
    const requiredName = milestone ? `${chineseDate(milestone.date)}节点应完成（${share(milestone.share)}）` : '节点应完成';
    chart('chartRegions').setOption(
      {
        animation: false,
        color: [COLORS.target, COLORS.paid, COLORS.required],
        legend: { top: 0, data: ['任务数', '已缴费', requiredName] },
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          formatter: (items) => {
            const r = rows[items[0].dataIndex];
            return [
              `<b>${esc(r.region.name)}</b>`,
              `任务数：${fmt(r.target)}`,
              `已缴费：${fmt(r.paid)}（${pct(r.rate)}）`,
              r.required !== null ? `${esc(requiredName)}：${fmt(r.required)}，差额 ${fmt(r.gap)}` : '当前无时间节点要求',
            ].join('<br>');
          },
        },
        grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: names, axisLabel: { interval: 0, fontSize: 13 } },
        yAxis: { type: 'value', name: '人数', axisLabel: { formatter: (v) => count.format(v) } },
        series: [
          { name: '任务数', type: 'bar', data: rows.map((r) => r.target), barWidth: '55%', barGap: '-100%', z: 1 },
          {
            name: '已缴费',
            type: 'bar',
            data: rows.map((r) => r.paid),
            barWidth: '55%',
            z: 2,
            // At the foot of the bar: the milestone's mark sits near its top.
            label: {
              show: true,
              position: 'insideBottom',
              distance: 6,
              formatter: (p) => count.format(p.value),
              fontSize: 12,
              fontWeight: 'bold',
              color: '#ffffff',
            },
          },
          {
            name: requiredName,
            type: 'scatter',
            data: rows.map((r) => r.required),
            symbol: 'rect',
            symbolSize: [34, 3],
            z: 3,
          },
        ],
      },
      true,
    );
  }

  function drawTimeline(samples, milestones, whole, asOf, start, end) {
    const paid = samples.filter((s) => s.date <= asOf).map((s) => [s.date, s.paid]);
    const points = milestones
      .filter((m) => m.required !== null)
      .map((m) => ({ value: [m.date, m.required], label: `${chineseDate(m.date)} ${share(m.share)}` }));
    const markLines = [{ xAxis: asOf, name: '统计日期', label: { formatter: '统计日期', position: 'end' }, lineStyle: { color: '#52606d', type: 'dotted' } }];
    if (whole.target !== null)
      markLines.push({
        yAxis: whole.target,
        name: '年度任务数',
        label: { formatter: `任务数 ${count.format(whole.target)}`, position: 'insideStartBottom' },
        lineStyle: { color: '#94a3b8', type: 'dashed' },
      });
    chart('chartTimeline').setOption(
      {
        animation: false,
        color: [COLORS.line, COLORS.required],
        legend: { top: 0, data: ['累计已缴费', '节点应完成'] },
        tooltip: { trigger: 'item', formatter: (p) => `${esc(p.seriesName)}<br>${esc(p.value[0])}：${count.format(p.value[1])} 人` },
        grid: { left: 16, right: 24, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'time', min: start, max: end, axisLabel: { formatter: '{M}月{d}日', hideOverlap: true } },
        yAxis: {
          type: 'value',
          name: '人数',
          max: whole.target !== null ? Math.max(whole.target, ...paid.map((p) => p[1])) : undefined,
          axisLabel: { formatter: (v) => count.format(v) },
        },
        series: [
          { name: '累计已缴费', type: 'line', data: paid, symbolSize: 6, lineStyle: { width: 3 }, markLine: { symbol: 'none', silent: true, data: markLines } },
          {
            name: '节点应完成',
            type: 'scatter',
            data: points.map((p) => p.value),
            symbol: 'diamond',
            symbolSize: 12,
            label: { show: true, position: 'top', formatter: (p) => points[p.dataIndex].label, color: '#991b1b' },
          },
        ],
      },
      true,
    );
  }

  function drawDaily(days) {
    // The busiest channel first (at the foot of each stack), the same order every day.
    const totals = new Map();
    for (const d of days) for (const c of d.byChannel) totals.set(c.channel, (totals.get(c.channel) || 0) + c.count);
    const channels = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b, 'zh-CN'));
    const dates = days.map((d) => d.date);
    chart('chartDaily').setOption(
      {
        animation: false,
        color: [...CHANNEL_COLORS.slice(0, channels.length), '#1f2933'],
        legend: { top: 0, type: 'scroll', data: [...channels, '金额（元）'] },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: dates.map((d) => d.slice(5)), axisLabel: { interval: 0, fontSize: 11 } },
        yAxis: [
          { type: 'value', name: '笔数', axisLabel: { formatter: (v) => count.format(v) } },
          { type: 'value', name: '金额（元）', splitLine: { show: false }, axisLabel: { formatter: (v) => count.format(v) } },
        ],
        series: [
          ...channels.map((channel) => ({
            name: channel,
            type: 'bar',
            stack: 'count',
            data: days.map((d) => (d.byChannel.find((c) => c.channel === channel) || { count: 0 }).count),
          })),
          // Drawn from the Money scalar's string; a chart needs a number, no sum is made from it.
          { name: '金额（元）', type: 'line', yAxisIndex: 1, data: days.map((d) => Number(d.amount)), symbolSize: 5 },
        ],
      },
      true,
    );
  }

  function drawFollowUps(rows, counts) {
    if (rows.length === 0) return placeholder('chartFollowUps', '无下级区域');
    chart('chartFollowUps').setOption(
      {
        animation: false,
        color: [COLORS.followUps],
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: { left: 16, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: rows.map((r) => r.region.name), axisLabel: { interval: 0, fontSize: 13 } },
        yAxis: { type: 'value', name: '人数', axisLabel: { formatter: (v) => count.format(v) } },
        series: [
          { name: '待催缴人数', type: 'bar', barWidth: '45%', data: counts, label: { show: true, position: 'top', formatter: (p) => count.format(p.value) } },
        ],
      },
      true,
    );
  }

  // --- cards and table ---
  function setCard(id, text, note, tone) {
    $(id).textContent = text;
    $(id).className = `figure${tone ? ` ${tone}` : ''}`;
    $(`${id}Note`).textContent = note || '';
  }

  function fillCards(whole, day, targetTotal) {
    setCard(
      'cardTarget',
      whole.target === null ? '未设定' : `${fmt(whole.target)} 人`,
      whole.target === null ? '通知未载明，管理员也未设定' : targetTotal !== null && targetTotal !== whole.target ? `通知所载合计 ${fmt(targetTotal)} 人` : '',
    );
    $('cardPaid').textContent = `${fmt(whole.paid)} 人`;
    $('cardRate').textContent = whole.rate === null ? '完成率：—' : `完成率 ${pct(whole.rate)}`;
    if (whole.milestone) {
      const tone = whole.onTrack === null ? '' : whole.onTrack ? 'good' : 'bad';
      setCard(
        'cardMilestone',
        `${chineseDate(whole.milestone.date)} · ${share(whole.milestone.share)}`,
        whole.required === null ? '' : `应完成 ${fmt(whole.required)} 人，${whole.onTrack ? '已达标' : `差 ${fmt(whole.gap)} 人`}`,
        tone,
      );
    } else setCard('cardMilestone', '尚无', '统计日期前没有已到期的时间节点');
    if (whole.nextMilestone)
      setCard(
        'cardNext',
        `${chineseDate(whole.nextMilestone.date)} · ${share(whole.nextMilestone.share)}`,
        whole.target === null ? '' : `届时应完成约 ${fmt(Math.ceil(whole.target * whole.nextMilestone.share))} 人`,
      );
    else setCard('cardNext', '无', '已过最后一个时间节点，或通知未规定');
    setCard('cardToday', `${fmt(day.count)} 笔`, `${money(day.amount)} 元`);
  }

  function fillTable(whole, rows, followUps, wholeFollowUps) {
    const body = $('detail').querySelector('tbody');
    const line = (r, followUp, isWhole) => {
      const tr = document.createElement('tr');
      if (isWhole) tr.className = 'whole';
      const cells = [
        r.region.name,
        r.target === null ? '未设定' : fmt(r.target),
        fmt(r.paid),
        pct(r.rate),
        fmt(r.required),
        fmt(r.gap),
        r.onTrack === null ? '—' : r.onTrack ? '是' : '否',
        fmt(followUp),
      ];
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      if (r.onTrack !== null) tr.children[6].className = r.onTrack ? 'good' : 'bad';
      return tr;
    };
    body.replaceChildren(line(whole, wholeFollowUps, true), ...rows.map((r, i) => line(r, followUps[i], false)));
  }

  // --- loading ---
  async function followUpCount(auth, coverageYear, region, asOf) {
    return (await gql('DashboardFollowUpCount', { coverageYear, region, asOf }, auth)).followUps.totalCount;
  }

  /** The regions shown: the top ones, or the children of the region chosen in 区域范围. */
  function scopeRows(progress, tenantCode, scope) {
    const regions = progress.slice(1);
    const isTop = (r) => !r.region.parentCode || r.region.parentCode === tenantCode;
    return regions.filter((r) => (scope ? r.region.parentCode === scope : isTop(r)));
  }

  function fillScope(progress, wanted) {
    const parents = progress.slice(1).filter((r) => progress.some((c) => c.region.parentCode === r.region.code));
    const select = $('scope');
    select.replaceChildren(new Option('一级区域', ''), ...parents.map((r) => new Option(`${r.region.name}的下级区域`, r.region.code)));
    select.value = parents.some((r) => r.region.code === wanted) ? wanted : '';
    $('scopeField').hidden = parents.length === 0;
  }

  const AREA_WORDS = { TOWNSHIP: '乡镇', SUB_DISTRICT: '片区', DISTRICT: '区县', CITY_AREA: '区域', NEW_AREA: '区域', UNIT: '单位' };
  const areaWord = (rows) => {
    const kinds = new Set(rows.map((r) => r.region.kind));
    return kinds.size === 1 ? AREA_WORDS[[...kinds][0]] || '区域' : '区域';
  };

  async function show() {
    const token = $('token').value.trim();
    const tenant = $('tenant').value;
    const coverageYear = Number($('year').value);
    const asOf = $('asOf').value;
    if (!token || !tenant || !coverageYear || !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
      showMessage('请填写完整', ['请粘贴令牌，并选择参保地区、参保年度和统计日期。']);
      return;
    }
    store.setItem(KEYS.token, token);
    store.setItem(KEYS.tenant, tenant);
    store.setItem(KEYS.year, String(coverageYear));
    store.setItem(KEYS.asOf, asOf);
    store.setItem(KEYS.scope, $('scope').value);
    const auth = { token, tenant };
    $('message').hidden = true;
    $('show').disabled = true;
    $('scope').disabled = true;
    setState('loading');
    let viewer = null;
    // Once the progress is drawn it stays on screen when a later query fails; the message says which.
    let drawn = false;
    try {
      setStatus('正在核对令牌…');
      viewer = (await gql('DashboardViewer', {}, auth)).viewer;
      const who = $('who');
      who.textContent = `${viewer.tenant.name}（${viewer.tenant.code}） · ${ROLE_NAMES[viewer.role] || viewer.role} · ${viewer.sub}`;
      who.hidden = false;

      setStatus('正在查询参保缴费进度…');
      const [policyData, progressData] = await Promise.all([
        gql('DashboardPolicy', { tenant, coverageYear }),
        gql('DashboardProgress', { coverageYear, asOf }, auth),
      ]);
      const policy = policyData.policy;
      const progress = progressData.enrollmentProgress;
      const whole = progress[0];
      fillScope(progress, store.getItem(KEYS.scope) || '');
      const scope = $('scope').value;
      const rows = scopeRows(progress, tenant, scope);
      const word = areaWord(rows);
      const parent = scope ? progress.find((r) => r.region.code === scope) : whole;
      $('regionsTitle').textContent = `各${word}参保缴费进度（截至 ${asOf}）`;
      $('board').hidden = false;
      drawRegions(rows, whole.milestone, word);
      drawn = true;

      setStatus('正在查询每日征缴与累计进度…');
      const milestones = policy ? policy.milestones : [];
      const collection = policy ? policy.collectionWindow : null;
      const start = [collection && collection.start, collection && collection.earliestPayment, addDays(asOf, -60)].find((d) => d && d <= asOf) || asOf;
      const last = [asOf, ...milestones.map((m) => m.date)].sort().at(-1);
      // A margin after the last date, so that its point and label are not cut at the edge.
      const end = addDays(last, Math.max(3, Math.ceil(daysBetween(start, last) / 12)));
      const step = Math.max(1, Math.ceil(daysBetween(start, asOf) / 10));
      const sampleDates = new Set([asOf, ...milestones.map((m) => m.date)]);
      for (let d = start; d < asOf; d = addDays(d, step)) sampleDates.add(d);
      const dailyDates = Array.from({ length: DAILY_DAYS }, (_, i) => addDays(asOf, i - DAILY_DAYS + 1));
      const [samples, days] = await Promise.all([
        mapLimited([...sampleDates].sort(), async (date) =>
          date === asOf ? { date, ...whole } : { date, ...(await gql('DashboardProgress', { coverageYear, asOf: date }, auth)).enrollmentProgress[0] },
        ),
        mapLimited(dailyDates, async (date) => (await gql('DashboardDailyCollection', { date, coverageYear }, auth)).dailyCollection),
      ]);
      const atMilestones = milestones.map((m) => ({ ...m, required: (samples.find((s) => s.date === m.date) || { required: null }).required }));
      drawTimeline(samples, atMilestones, whole, asOf, start, end);
      drawDaily(days);
      $('dailyTitle').textContent = `近 ${DAILY_DAYS} 日征缴情况（${dailyDates[0]} 至 ${asOf}）`;
      fillCards(whole, days.at(-1), policy ? policy.targetTotal : null);
      fillTable(
        parent,
        rows,
        rows.map(() => null),
        null,
      );

      setStatus('正在统计待催缴人数…');
      const counts = await mapLimited([scope || null, ...rows.map((r) => r.region.code)], (region) => followUpCount(auth, coverageYear, region, asOf));
      drawFollowUps(rows, counts.slice(1));
      fillTable(parent, rows, counts.slice(1), counts[0]);
      setStatus(`已更新：${new Date().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}（北京时间）`);
      setState('ready');
    } catch (err) {
      const [title, lines] = errorMessage(err, viewer);
      showMessage(title, lines);
      if (!drawn) $('board').hidden = true;
      setStatus('');
      setState(err.code === 'FORBIDDEN' ? 'forbidden' : 'failed');
    } finally {
      $('show').disabled = false;
      $('scope').disabled = false;
    }
  }

  async function start() {
    if (typeof echarts === 'undefined') {
      showMessage('页面加载不完整', ['图表组件未能加载，请刷新页面；如仍失败，请联系系统管理员。']);
      return setState('failed');
    }
    try {
      const res = await fetch('/dashboard/operations.json', { credentials: 'omit' });
      operations = await res.json();
      tenants = (await gql('DashboardTenants', {})).tenants;
    } catch (err) {
      showMessage('无法连接服务器', [err.message]);
      return setState('failed');
    }
    $('tenant').replaceChildren(new Option('请选择', ''), ...tenants.map((t) => new Option(`${t.name}（${t.code}）`, t.code)));
    const token = store.getItem(KEYS.token) || '';
    $('token').value = token;
    const tenant = store.getItem(KEYS.tenant) || tokenTenants(token).find((code) => tenants.some((t) => t.code === code)) || '';
    $('tenant').value = tenant;
    fillYears(tenant, store.getItem(KEYS.year));
    $('asOf').value = store.getItem(KEYS.asOf) || todayInChina();

    $('tenant').addEventListener('change', () => fillYears($('tenant').value, $('year').value));
    // A pasted token preselects a tenant it may act for, unless the chosen one is already such.
    $('token').addEventListener('change', () => {
      const own = tokenTenants($('token').value.trim()).filter((code) => tenants.some((t) => t.code === code));
      if (own.length > 0 && !own.includes($('tenant').value)) {
        $('tenant').value = own[0];
        fillYears(own[0], $('year').value);
      }
    });
    $('settings').addEventListener('submit', (event) => {
      event.preventDefault();
      show();
    });
    $('scope').addEventListener('change', () => {
      store.setItem(KEYS.scope, $('scope').value);
      show();
    });
    $('forget').addEventListener('click', () => {
      for (const key of Object.values(KEYS)) store.removeItem(key);
      $('token').value = '';
      $('who').hidden = true;
      $('board').hidden = true;
      $('message').hidden = true;
      setStatus('令牌已清除。');
      setState('idle');
    });
    window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
    setState('idle');
    if (token && tenant) show();
  }

  start();
})();
