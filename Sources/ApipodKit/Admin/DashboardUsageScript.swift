/// The dashboard's usage view: the admin usage API read per day and per hour, drawn as stacked
/// SVG bars by model or by key, with a table of the same numbers under each chart. A part of the
/// one function `DashboardScript` serves; it uses that function's helpers (`h`, `api`, `show`).
enum DashboardUsageScript {
    static let text = #"""
  // Usage ----------------------------------------------------------------------------------

  const usageChoice = {stack: 'model', measure: 'requests'};
  let usageData = null;

  const pad = value => String(value).padStart(2, '0');
  const utcDay = date => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const utcHour = date => `${utcDay(date)}T${pad(date.getUTCHours())}:00:00Z`;

  /** The buckets of a period, oldest first: 30 UTC days to today, 48 hours to this one. */
  function buckets(period) {
    const now = Date.now();
    if (period === 'day') return Array.from({length: 30}, (_, index) => utcDay(new Date(now - (29 - index) * 86400000)));
    return Array.from({length: 48}, (_, index) => utcHour(new Date(now - (47 - index) * 3600000)));
  }

  async function loadUsage() {
    const days = buckets('day'), hours = buckets('hour');
    const by = usageChoice.stack;
    try {
      const [daily, hourly] = await Promise.all([
        api(`usage?by=day,${by}&since=${days[0]}`),
        api(`usage?by=hour,${by}&since=${hours[0]}`),
      ]);
      usageData = {by, day: {buckets: days, answer: daily}, hour: {buckets: hours, answer: hourly}};
      renderUsage();
    } catch (error) {
      usageData = null;
      failed('usage', error, 'Usage figures are');
    }
  }

  const seriesName = (row, by) => by === 'key' ? `${row.key_name ?? 'no key'} (${row.key_prefix ?? row.key_id ?? '—'})` : row.model ?? 'unknown';
  const measureOf = (row, measure) => measure === 'tokens' ? (row.input_tokens || 0) + (row.output_tokens || 0) : row.requests || 0;

  function renderUsage() {
    if (!usageData) return;
    const {by} = usageData;
    const total = usageData.day.answer.totals || {};
    if (!usageData.day.answer.rows.length && !usageData.hour.answer.rows.length) {
      show('usage', 'empty', h('p', {class: 'empty', text: 'No requests counted in the last 30 days. Usage appears here once clients send requests with a key.'}));
      return;
    }
    const showCost = usageData.day.answer.rows.some(row => row.cost_usd > 0);
    const summary = h('p', {class: 'muted'}, 'Last 30 days: ', h('b', {text: number(total.requests)}), ' requests, ',
      h('b', {text: number((total.input_tokens || 0) + (total.output_tokens || 0))}), ' tokens',
      total.errors ? [', ', h('b', {text: number(total.errors)}), ' errors'] : null,
      showCost ? [', ', h('b', {text: cost(total.cost_usd)})] : null, '.');
    show('usage', 'ready', summary,
      usagePeriod('day', 'Per day, last 30 days', by, showCost),
      usagePeriod('hour', 'Per hour, last 48 hours', by, showCost));
  }

  function usagePeriod(period, title, by, showCost) {
    const {buckets: labels, answer} = usageData[period];
    const totals = new Map();
    for (const row of answer.rows) totals.set(seriesName(row, by), (totals.get(seriesName(row, by)) || 0) + measureOf(row, usageChoice.measure));
    // The largest series get their own colour; the rest share "other" so the legend stays legible.
    const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
    const named = ranked.length > COLOURS.length ? ranked.slice(0, COLOURS.length - 1) : ranked;
    const series = named.map((name, index) => ({name, colour: COLOURS[index]}));
    if (ranked.length > named.length) series.push({name: 'other', colour: OTHER_COLOUR});
    const values = new Map(labels.map(label => [label, new Map()]));
    for (const row of answer.rows) {
      const bucket = values.get(row[period]);
      if (!bucket) continue;
      const name = named.includes(seriesName(row, by)) ? seriesName(row, by) : 'other';
      bucket.set(name, (bucket.get(name) || 0) + measureOf(row, usageChoice.measure));
    }
    const chart = h('div', {class: 'chart', 'data-testid': `chart-${period}`});
    chart.drawing = {period, labels, series, values};
    return h('div', {'data-testid': `usage-${period}`},
      h('h3', {text: title}), chart,
      h('ul', {class: 'legend', 'aria-label': 'Legend'}, series.map(item => {
        const swatch = h('i', {'aria-hidden': 'true'});
        swatch.style.background = item.colour;
        return h('li', null, swatch, item.name);
      })),
      usageTable(period, answer, by, showCost));
  }

  function usageTable(period, answer, by, showCost) {
    const columns = [period === 'day' ? 'Day (UTC)' : 'Hour', by === 'key' ? 'Key' : 'Model',
      'Requests', 'Errors', 'Input tokens', 'Output tokens', 'Cached tokens'].concat(showCost ? ['Cost'] : []);
    const numbers = row => [row.requests, row.errors, row.input_tokens, row.output_tokens, row.cached_tokens].map(number)
      .concat(showCost ? [cost(row.cost_usd || 0)] : []);
    const when = row => period === 'day' ? row.day : time(row.hour, hourCellFormat);
    const cells = (values, first) => values.map((value, index) =>
      h('td', {'data-label': columns[index + first], class: index + first >= 2 ? 'n' : null}, value));
    const totals = answer.totals || {};
    return h('div', {class: 'scroll'}, h('table', null,
      h('caption', {class: 'sr-only', text: `Usage per ${period}`}),
      h('thead', null, h('tr', null, columns.map((name, index) => h('th', {scope: 'col', class: index >= 2 ? 'n' : null, text: name})))),
      // Newest first: the rows an operator looks for are today's.
      h('tbody', null, answer.rows.slice().reverse().map(row => h('tr', null, cells([when(row), seriesName(row, by), ...numbers(row)], 0)))),
      h('tfoot', null, h('tr', null, cells(['Total', '', ...numbers(totals)], 0)))));
  }

  /** Draws every chart at its container's width, so its text stays at the size of the page's. */
  function drawCharts() {
    for (const chart of $$('.chart')) if (chart.drawing) chart.replaceChildren(stackedBars(chart.drawing, chart.clientWidth || 600));
  }

  function stackedBars({period, labels, series, values}, width) {
    const height = 200, left = 46, right = 24, top = 10, bottom = 24;
    const plotWidth = width - left - right, plotHeight = height - top - bottom;
    const stackTotals = labels.map(label => [...values.get(label).values()].reduce((a, b) => a + b, 0));
    const step = niceStep(Math.max(1, ...stackTotals) / 4);
    const ceiling = Math.max(step, Math.ceil(Math.max(1, ...stackTotals) / step) * step);
    const y = value => top + plotHeight - value / ceiling * plotHeight;
    const band = plotWidth / labels.length;
    const unit = usageChoice.measure === 'tokens' ? 'tokens' : 'requests';
    const svg = h('svg:svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-label': `${unit} per ${period}, stacked by ${usageData.by}; the numbers are in the table below`});
    for (let value = 0; value <= ceiling; value += step) {
      svg.append(h('svg:line', {class: 'grid', x1: left, x2: width - right, y1: y(value), y2: y(value)}),
        h('svg:text', {x: left - 6, y: y(value) + 4, 'text-anchor': 'end', text: compactFormat.format(value)}));
    }
    const every = Math.ceil(labels.length / Math.max(2, Math.floor(plotWidth / 64)));
    labels.forEach((label, index) => {
      const x = left + index * band;
      let base = 0;
      for (const item of series) {
        const value = values.get(label).get(item.name) || 0;
        if (!value) continue;
        const rect = h('svg:rect', {x: x + band * 0.1, width: Math.max(1, band * 0.8), y: y(base + value),
          height: Math.max(0.5, y(base) - y(base + value)), fill: item.colour});
        rect.append(h('svg:title', {text: `${bucketTitle(period, label)} · ${item.name}: ${number(value)} ${unit}`}));
        svg.append(rect);
        base += value;
      }
      if ((labels.length - 1 - index) % every === 0) {
        svg.append(h('svg:text', {x: x + band / 2, y: height - 6, 'text-anchor': 'middle', text: bucketLabel(period, label)}));
      }
    });
    return svg;
  }

  function niceStep(raw) {
    const power = 10 ** Math.floor(Math.log10(raw));
    for (const factor of [1, 2, 5, 10]) if (raw <= factor * power) return Math.max(1, factor * power);
    return 10 * power;
  }

  const bucketLabel = (period, label) => period === 'day' ? dayFormat.format(new Date(label)) : hourFormat.format(new Date(label));
  const bucketTitle = (period, label) => period === 'day' ? `${label} (UTC)` : `${dateTimeFormat.format(new Date(label))} (${utc(new Date(label))})`;

  function chooseUsage(event) {
    const button = event.target.closest('button.seg');
    if (!button) return;
    const [choice, value] = button.dataset.stack ? ['stack', button.dataset.stack] : ['measure', button.dataset.measure];
    usageChoice[choice] = value;
    for (const other of $$(`button[data-${choice}]`)) other.setAttribute('aria-pressed', String(other === button));
    if (choice === 'stack') loadUsage(); else renderUsage();
  }


"""#
}
