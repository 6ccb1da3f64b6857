/// The dashboard's upstream board and live figures (requests per second from two samples of
/// `/admin/live`, refreshed while the tab is visible). A part of the one function
/// `DashboardScript` serves; it uses that function's helpers (`h`, `api`, `show`).
enum DashboardLiveScript {
    static let text = #"""
  // Upstreams and live figures ---------------------------------------------------------------

  function state(board) {
    if (board.state !== 'cooling') return h('span', {class: 'status ok', text: 'ok'});
    const cooling = h('span', {class: 'status cooling', text: 'cooling'});
    return board.until ? h('span', null, cooling, ' until ', time(board.until)) : cooling;
  }

  function boardTable(caption, boards, withProvider) {
    const columns = ['Name'].concat(withProvider ? ['Provider'] : [], ['State', 'Last status', 'Last error', 'Attempts', 'Failures']);
    const numeric = index => index >= columns.length - 2 ? 'n' : null;
    if (!boards.length) return [h('h3', {text: caption}), h('p', {class: 'empty', text: `No ${caption.toLowerCase()} in the routes file.`})];
    const rows = boards.map(board => h('tr', null, [
      board.name, ...(withProvider ? [board.provider ?? 'default'] : []), state(board),
      board.last_status ?? '—', board.last_error ?? '—', number(board.attempts), number(board.failures),
    ].map((cell, index) => h('td', {'data-label': columns[index], class: numeric(index)}, cell))));
    return [h('h3', {text: caption}), h('div', {class: 'frame'}, h('table', {class: 'cards'},
      h('thead', null, h('tr', null, columns.map((name, index) => h('th', {scope: 'col', class: numeric(index), text: name})))),
      h('tbody', null, rows)))];
  }

  async function loadUpstreams() {
    try {
      const board = await api('upstreams');
      show('upstreams', 'ready', ...boardTable('Providers', board.providers, false), ...boardTable('Models', board.models, true));
    } catch (error) {
      failed('upstreams', error, 'The state of the upstreams is');
    }
  }

  let previousSample = null;

  function duration(seconds) {
    const days = Math.floor(seconds / 86400), hours = Math.floor(seconds % 86400 / 3600), minutes = Math.floor(seconds % 3600 / 60);
    return days ? `${days} d ${hours} h` : hours ? `${hours} h ${minutes} min` : minutes ? `${minutes} min` : `${Math.floor(seconds)} s`;
  }

  /** The four figures; drawn with dashes before the first answer, so nothing below them moves when it comes. */
  function showFigures(state, rate, streams, connections, uptime) {
    const figure = (value, label, id) => h('div', {class: 'figure', 'data-testid': id}, h('b', {text: value}), h('span', {text: label}));
    show('live', state, h('div', {class: 'figures'},
      figure(rate, 'requests per second', 'live-rate'), figure(streams, 'open streams', 'live-streams'),
      figure(connections, 'open connections', 'live-connections'), figure(uptime, 'up', 'live-uptime')));
  }

  /** Requests per second from the last two samples; the first sample has none to compare with. */
  async function loadLive() {
    try {
      const live = await api('live');
      const now = performance.now();
      const rate = previousSample && now > previousSample.at && live.requests_total >= previousSample.requests
        ? rateFormat.format((live.requests_total - previousSample.requests) / ((now - previousSample.at) / 1000)) : '—';
      previousSample = {at: now, requests: live.requests_total};
      showFigures('ready', rate, number(live.active_streams), number(live.open_connections), duration(live.uptime_seconds));
    } catch (error) {
      failed('live', error, 'Live figures are');
    }
  }

  /** Live figures and upstream states every few seconds, while the tab is visible and signed in. */
  let refreshing = false;
  async function refreshLive() {
    clearTimeout(liveTimer);
    if (refreshing) return; // the running refresh sets the next timer
    refreshing = true;
    try {
      if (!document.hidden) await Promise.all([loadLive(), loadUpstreams()]);
    } finally {
      refreshing = false;
    }
    if (sessionStorage.getItem(SECRET)) liveTimer = setTimeout(refreshLive, LIVE_EVERY_MS);
  }


"""#
}
