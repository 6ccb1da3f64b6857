/// The dashboard's script: signs in, reads the JSON admin API with the secret from
/// `sessionStorage`, and draws the tables and the SVG charts itself. Text only ever goes into the
/// page through `textContent` and attributes, never as HTML, so a key name cannot inject markup.
/// The usage view (`DashboardUsageScript`) and the upstreams and live figures
/// (`DashboardLiveScript`) are kept in files of their own and placed between this file's two
/// parts: all are one function's body, sharing its names and helpers, served as one file.
enum DashboardScript {
    static let text = opening + DashboardUsageScript.text + DashboardLiveScript.text + start

    /// The helpers, signing in and out, and the keys.
    private static let opening = #"""
'use strict';
// The apipod dashboard. Reads the JSON admin API with the secret kept in this tab's
// sessionStorage; draws everything itself (tables, SVG charts). No library, no build step.
(() => {
  const SECRET = 'apipod.adminSecret';
  const LIVE_EVERY_MS = 5000;
  const numberFormat = new Intl.NumberFormat();
  const compactFormat = new Intl.NumberFormat(undefined, {notation: 'compact', maximumFractionDigits: 1});
  const rateFormat = new Intl.NumberFormat(undefined, {maximumFractionDigits: 1});
  const centsFormat = new Intl.NumberFormat(undefined, {style: 'currency', currency: 'USD'});
  const smallCostFormat = new Intl.NumberFormat(undefined, {style: 'currency', currency: 'USD', maximumSignificantDigits: 2});
  const cost = value => value >= 1 || value === 0 ? centsFormat.format(value) : smallCostFormat.format(value);
  const dateTimeFormat = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
  const dayFormat = new Intl.DateTimeFormat(undefined, {month: 'short', day: 'numeric', timeZone: 'UTC'});
  const hourFormat = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit'});
  const hourCellFormat = new Intl.DateTimeFormat(undefined, {month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit'});
  const COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
  const OTHER_COLOUR = '#a0a7b0';
  const SVG = 'http://www.w3.org/2000/svg';

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  /** An element with attributes (`text` sets its text, `on…` adds a listener) and children. */
  function h(tag, attributes, ...children) {
    const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value == null || value === false) continue;
      if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) if (child != null) node.append(child);
    return node;
  }

  const number = value => value == null ? '—' : numberFormat.format(value);
  const utc = date => date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

  /** A time in the browser's zone, with UTC on hover. */
  function time(iso, format = dateTimeFormat) {
    if (!iso) return h('span', {class: 'muted', text: 'never'});
    const date = new Date(iso);
    return h('time', {datetime: iso, title: utc(date), text: format.format(date)});
  }

  class APIError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  /** Counts sign-ins and sign-outs: an answer that arrives after the one it was asked in is dropped. */
  let era = 0;

  /** One call to the admin API; rejects with an APIError that carries the status (-1: signed out meanwhile). */
  async function api(path, {method = 'GET', body, secret = sessionStorage.getItem(SECRET)} = {}) {
    const askedIn = era;
    if (!secret) throw new APIError(-1, 'Signed out.');
    const headers = {'x-admin-secret': secret};
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer'});
    } catch {
      throw new APIError(0, 'The server cannot be reached.');
    }
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    if (askedIn !== era) throw new APIError(-1, 'Signed out.');
    if (!response.ok) throw new APIError(response.status, (data && data.error && data.error.message) || response.statusText);
    return data;
  }

  /** Sets a view's state (for people: what its body says; for tests: `data-state`) and its body. */
  function show(view, state, ...content) {
    const section = $('#' + view);
    section.dataset.state = state;
    $('.body', section).replaceChildren(...content);
  }

  /** What a view says when its call failed: quiet for a server without that endpoint. */
  function failed(view, error, what) {
    if (error.status === -1) return;
    if (error.status === 401 || error.status === 403) return signOut('The admin secret was refused; sign in again.');
    if (error.status === 404) return show(view, 'unavailable', h('p', {class: 'empty', text: `${what} not available on this server.`}));
    show(view, 'error', h('p', {class: 'error', text: `${what} could not be read: ${error.message}`}));
  }

  function notify(message, isError = false) {
    const notice = $('#notice');
    notice.textContent = message;
    notice.classList.toggle('error', isError);
  }

  // Sign in and out ------------------------------------------------------------------------

  let liveTimer = 0;

  async function signIn(event) {
    event.preventDefault();
    const input = $('#secret');
    const secret = input.value;
    const error = $('#signin-error');
    error.hidden = true;
    if (!secret) {
      error.textContent = 'Enter the admin secret.';
      error.hidden = false;
      return;
    }
    performance.clearMarks();
    performance.clearMeasures();
    performance.mark('signin');
    try {
      const keys = await api('keys', {secret});
      performance.mark('keys-answered');
      sessionStorage.setItem(SECRET, secret);
      era += 1;
      input.value = '';
      enter(keys);
    } catch (failure) {
      error.textContent = failure.status === 403 || failure.status === 401 ? 'Wrong admin secret.'
        : failure.status === 404 ? 'The admin API is off on this server: set ADMIN_SECRET and restart it.'
        : failure.message;
      error.hidden = false;
      input.select();
    }
  }

  /** Shows the signed-in page; `keys` is the listing already read, or null to read it. */
  function enter(keys) {
    $('#signin').hidden = true;
    $('#app').hidden = false;
    $('#nav').hidden = false;
    $('#signout').hidden = false;
    showFigures('loading', '—', '—', '—', '—');
    if (keys) {
      renderKeys(keys.keys);
      performance.mark('first-render');
      performance.measure('signin-to-keys', 'signin', 'first-render');
      performance.measure('keys-drawn', 'keys-answered', 'first-render');
    } else {
      loadKeys();
    }
    loadTiers();
    loadUsage();
    refreshLive();
  }

  function signOut(message) {
    sessionStorage.removeItem(SECRET);
    era += 1;
    keyList = [];
    usageData = null;
    for (const dialog of $$('dialog')) dialog.close();
    clearTimeout(liveTimer);
    liveTimer = 0;
    previousSample = null;
    for (const view of ['live', 'keys', 'usage', 'upstreams']) show(view, 'loading');
    $('#create-form').reset();
    notify('');
    $('#app').hidden = true;
    $('#nav').hidden = true;
    $('#signout').hidden = true;
    $('#signin').hidden = false;
    const error = $('#signin-error');
    error.textContent = message || '';
    error.hidden = !message;
    $('#secret').focus();
  }

  // Keys -----------------------------------------------------------------------------------

  let keyList = [];
  let limitsSupported = false;

  async function loadKeys() {
    try {
      renderKeys((await api('keys')).keys);
    } catch (error) {
      failed('keys', error, 'The keys are');
    }
  }

  /** "60 rpm · 4 at once · 1,000,000 tokens/day", marking the tier's values; null without limits. */
  function limitsText(key) {
    const effective = key.effective_limits;
    if (!effective) return null;
    const own = key.limits || {};
    const parts = [['rpm', ' rpm'], ['concurrency', ' at once'], ['daily_tokens', ' tokens/day']]
      .filter(([field]) => effective[field] != null)
      .map(([field, unit]) => number(effective[field]) + unit + (own[field] == null ? ' (tier)' : ''));
    return parts.length ? parts.join(' · ') : 'unlimited';
  }

  function renderKeys(keys) {
    keyList = keys;
    if (!keys.length) {
      show('keys', 'empty', h('p', {class: 'empty'}, 'No keys yet: create one below or with ',
        h('code', {text: 'apipodctl keys create --name NAME'}), '.'));
      return;
    }
    const columns = ['Name', 'Tier', 'Prefix', 'Status', 'Limits', 'Created', 'Expires', 'Last used', 'Actions'];
    const rows = keys.map(key => {
      const cells = [
        key.name, key.tier, h('code', {text: key.prefix}),
        h('span', {class: `status ${key.status}`, text: key.status}),
        limitsText(key) ?? h('span', {class: 'muted', text: '—'}),
        time(key.created_at), key.expires_at ? time(key.expires_at) : h('span', {class: 'muted', text: 'never'}),
        time(key.last_used_at),
        h('div', {class: 'actions'},
          h('button', {type: 'button', class: 'quiet small', 'data-action': key.status === 'disabled' ? 'enable' : 'disable',
            'aria-label': `${key.status === 'disabled' ? 'Enable' : 'Disable'} key ${key.name}`,
            text: key.status === 'disabled' ? 'Enable' : 'Disable', onclick: () => toggleKey(key)}),
          limitsSupported ? h('button', {type: 'button', class: 'quiet small', 'aria-label': `Change the limits of key ${key.name}`,
            text: 'Limits', onclick: () => editLimits(key)}) : null),
      ];
      return h('tr', {'data-key-id': key.id}, cells.map((cell, index) => h('td', {'data-label': columns[index]}, cell)));
    });
    show('keys', 'ready', h('div', {class: 'frame'}, h('table', {class: 'cards'},
      h('caption', {class: 'sr-only', text: 'Keys'}),
      h('thead', null, h('tr', null, columns.map(name => h('th', {scope: 'col', text: name})))),
      h('tbody', null, rows))));
  }

  function replaceKey(updated) {
    renderKeys(keyList.map(key => key.id === updated.id ? updated : key));
  }

  async function toggleKey(key) {
    const action = key.status === 'disabled' ? 'enable' : 'disable';
    try {
      replaceKey(await api(`keys/${key.id}/${action}`, {method: 'POST'}));
      notify(`Key ${key.name} ${action}d.`);
      $(`tr[data-key-id="${key.id}"] button[data-action]`)?.focus();
    } catch (error) {
      notify(`Could not ${action} key ${key.name}: ${error.message}`, true);
    }
  }

  /** A whole number from a form field, or undefined when it is empty. */
  function wholeNumber(form, name) {
    const text = form.elements[name].value.trim();
    if (text === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${form.elements[name].closest('label').firstChild.textContent.trim()} must be a whole number.`);
    return value;
  }

  async function createKey(event) {
    event.preventDefault();
    const form = event.target;
    const error = $('#create-error');
    error.hidden = true;
    const body = {name: form.elements.name.value.trim()};
    try {
      if (!body.name) throw new Error('Give the key a name.');
      const tier = form.elements.tier.value.trim();
      if (tier) body.tier = tier;
      const days = form.elements.expires_in.value.trim();
      if (days) {
        body.expires_in = Number(days);
        if (!(body.expires_in > 0)) throw new Error('Expires in days must be a number above 0.');
      }
      // Only the limits filled in: a server without limits refuses fields it does not know.
      if (limitsSupported) for (const name of ['rpm', 'concurrency', 'daily_tokens']) {
        const value = wholeNumber(form, name);
        if (value !== undefined) body[name] = value;
      }
    } catch (invalid) {
      error.textContent = invalid.message;
      error.hidden = false;
      return;
    }
    const button = $('button[type=submit]', form);
    button.disabled = true;
    try {
      const created = await api('create-key', {method: 'POST', body});
      form.reset();
      showCreatedKey(created);
      loadKeys();
    } catch (failure) {
      error.textContent = `The key was not created: ${failure.message}`;
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  /** The new key, once: the dialog and its text are removed from the page when it closes. */
  function showCreatedKey(created) {
    const secret = h('code', {class: 'secret', 'data-testid': 'new-key', text: created.api_key});
    const copied = h('span', {role: 'status', class: 'muted'});
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(secret.textContent);
        copied.textContent = 'Copied.';
      } catch {
        // No clipboard API outside a secure context (plain http to another host): select it instead.
        getSelection().selectAllChildren(secret);
        copied.textContent = document.execCommand('copy') ? 'Copied.' : 'Selected: press Ctrl+C to copy it.';
      }
    };
    const dialog = h('dialog', {'aria-labelledby': 'created-title', 'data-testid': 'created-dialog'},
      h('h2', {id: 'created-title', text: `Key created for ${created.name}`}),
      h('p', {class: 'warning', text: 'Copy it now: this key will not be shown again.'}),
      secret,
      h('p', {class: 'muted'}, 'Tier ', h('b', {text: created.tier}), ', expires ',
        created.expires_at ? time(created.expires_at) : 'never', '.'),
      h('div', {class: 'buttons'}, copied,
        h('button', {type: 'button', class: 'quiet', text: 'Copy', onclick: copy}),
        h('button', {type: 'button', text: 'Done', onclick: () => dialog.close()})));
    dialog.addEventListener('close', () => {
      secret.textContent = '';
      dialog.remove();
      $('#create-form').elements.name.focus();
    });
    document.body.append(dialog);
    dialog.showModal();
  }

  function editLimits(key) {
    const own = key.limits || {};
    const fields = [['rpm', 'Requests per minute'], ['concurrency', 'Concurrent requests'], ['daily_tokens', 'Tokens per day']];
    const error = h('p', {class: 'error', role: 'alert', hidden: true});
    const form = h('form', {method: 'dialog', novalidate: true},
      h('h2', {text: `Limits of ${key.name}`}),
      h('p', {class: 'muted', text: `Empty means the ${key.tier} tier's limit applies.`}),
      h('div', {class: 'fields'}, fields.map(([name, label]) =>
        h('label', null, label, h('input', {name, type: 'number', min: 0, step: 1, inputmode: 'numeric',
          placeholder: "tier's", value: own[name] ?? null})))),
      error,
      h('div', {class: 'buttons'},
        h('button', {type: 'button', class: 'quiet', text: 'Cancel', onclick: () => dialog.close()}),
        h('button', {type: 'submit', text: 'Save limits'})));
    const dialog = h('dialog', {'aria-label': `Limits of ${key.name}`}, form);
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const body = {};
      try {
        for (const [name] of fields) body[name] = wholeNumber(form, name) ?? null;
        replaceKey(await api(`keys/${key.id}/limits`, {method: 'POST', body}));
        notify(`Limits of ${key.name} saved.`);
        dialog.close();
      } catch (failure) {
        error.textContent = failure.status === 404 ? 'Changing limits is not available on this server.' : failure.message;
        error.hidden = false;
      }
    });
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  }

  /** Tiers fill the tier suggestions; their presence says the server knows limits. */
  async function loadTiers() {
    try {
      const {tiers} = await api('tiers');
      limitsSupported = true;
      $('#tier-list').replaceChildren(...tiers.map(tier => h('option', {value: tier.name})));
    } catch {
      limitsSupported = false;
    }
    for (const label of $$('#create-form .limit')) label.hidden = !limitsSupported;
    if (keyList.length) renderKeys(keyList);
  }


"""#

    /// What starts the page once the document is read.
    private static let start = #"""
  // Start --------------------------------------------------------------------------------------

  let resizeTimer = 0;
  const observer = new MutationObserver(drawCharts);
  document.addEventListener('DOMContentLoaded', () => {
    $('#signin-form').addEventListener('submit', signIn);
    $('#signout').addEventListener('click', () => signOut());
    $('#create-form').addEventListener('submit', createKey);
    $('#usage .switches').addEventListener('click', chooseUsage);
    $('#usage-refresh').addEventListener('click', loadUsage);
    observer.observe($('#usage .body'), {childList: true});
    addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawCharts, 100); });
    document.addEventListener('visibilitychange', () => { if (!document.hidden && sessionStorage.getItem(SECRET)) refreshLive(); });
    if (sessionStorage.getItem(SECRET)) enter(null); else $('#secret').focus();
  });
})();

"""#
}
