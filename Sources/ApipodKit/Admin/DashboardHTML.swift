/// The dashboard's page: landmarks and the sign-in form; the script fills the rest. Each view
/// carries a `data-testid` and a `data-state` (`loading`, `ready`, `empty`, `unavailable`,
/// `error`) so a browser test waits for a state instead of a time.
enum DashboardHTML {
    static let text = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>apipod dashboard</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="app.css">
<script src="app.js" defer></script>
</head>
<body>
<header class="bar">
  <h1>apipod</h1>
  <nav id="nav" aria-label="Sections" hidden>
    <a href="#live">Live</a><a href="#keys">Keys</a><a href="#usage">Usage</a><a href="#upstreams">Upstreams</a>
  </nav>
  <button type="button" id="signout" class="quiet" hidden>Sign out</button>
</header>
<main>
  <section id="signin" class="card narrow" data-testid="signin" aria-labelledby="signin-title">
    <h2 id="signin-title">Sign in</h2>
    <p>Enter the server's admin secret (<code>ADMIN_SECRET</code>). It stays in this tab only and is forgotten when the tab closes.</p>
    <form id="signin-form" method="post" novalidate>
      <input name="username" autocomplete="username" value="admin" hidden>
      <label for="secret">Admin secret</label>
      <div class="row">
        <input id="secret" name="secret" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
      </div>
      <p id="signin-error" class="error" role="alert" hidden></p>
    </form>
  </section>
  <div id="app" hidden>
    <p id="notice" role="status" aria-live="polite"></p>
    <section id="live" data-testid="live" data-state="loading" aria-labelledby="live-title">
      <h2 id="live-title" class="sr-only">Live figures</h2>
      <div class="body"></div>
    </section>
    <section id="keys" class="card" data-testid="keys" data-state="loading" aria-labelledby="keys-title">
      <h2 id="keys-title">Keys</h2>
      <div class="body"></div>
      <form id="create-form" class="create" method="post" novalidate>
        <fieldset>
          <legend>Create a key</legend>
          <div class="fields">
            <label>Name<input name="name" required autocomplete="off"></label>
            <label>Tier<input name="tier" list="tier-list" placeholder="elite" autocomplete="off"></label>
            <label>Expires in days<input name="expires_in" type="number" min="0" step="any" placeholder="never" inputmode="decimal"></label>
            <label class="limit" hidden>Requests per minute<input name="rpm" type="number" min="0" step="1" placeholder="tier's" inputmode="numeric"></label>
            <label class="limit" hidden>Concurrent requests<input name="concurrency" type="number" min="0" step="1" placeholder="tier's" inputmode="numeric"></label>
            <label class="limit" hidden>Tokens per day<input name="daily_tokens" type="number" min="0" step="1" placeholder="tier's" inputmode="numeric"></label>
          </div>
          <datalist id="tier-list"></datalist>
          <button type="submit">Create key</button>
          <p id="create-error" class="error" role="alert" hidden></p>
        </fieldset>
      </form>
    </section>
    <section id="usage" class="card" data-testid="usage" data-state="loading" aria-labelledby="usage-title">
      <div class="head">
        <h2 id="usage-title">Usage</h2>
        <div class="switches">
          <div role="group" aria-label="Stack by">
            <button type="button" class="seg" data-stack="model" aria-pressed="true">By model</button><button type="button" class="seg" data-stack="key" aria-pressed="false">By key</button>
          </div>
          <div role="group" aria-label="Measure">
            <button type="button" class="seg" data-measure="requests" aria-pressed="true">Requests</button><button type="button" class="seg" data-measure="tokens" aria-pressed="false">Tokens</button>
          </div>
          <button type="button" id="usage-refresh" class="quiet">Refresh</button>
        </div>
      </div>
      <div class="body"></div>
    </section>
    <section id="upstreams" class="card" data-testid="upstreams" data-state="loading" aria-labelledby="upstreams-title">
      <h2 id="upstreams-title">Upstreams</h2>
      <div class="body"></div>
    </section>
  </div>
</main>
</body>
</html>

"""#

    /// A small mark for the tab, so the browser's own icon request finds something on this origin.
    static let icon = #"""
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2f5d8a"/><path d="M4 12V7h2v5zm3 0V4h2v8zm3 0V9h2v3z" fill="#fff"/></svg>
"""#
}
