// The API-keys page's script: signs in through the emulator's real login API, then lists
// GET /v1/apiKeys every POLL_MS. The API decides what a user sees (its permission rule), so this
// script only shows and filters. It never reads or shows a key value; the session token lives in
// sessionStorage (this tab only), never in a URL. Every text goes in through textContent.
(function () {
  "use strict";

  const POLL_MS = 2000;
  /** Refresh the session token when it has less than this left (tokens live 15 minutes). */
  const REFRESH_BEFORE_MS = 120000;
  const TOKEN = "palette-emulator.token";
  const EMAIL = "palette-emulator.email";
  const STATUS_LABEL = { active: "Active", revoked: "Revoked", expired: "Expired" };
  const STATUS_MARK = { active: "●", revoked: "⊘", expired: "✕" };

  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem(TOKEN);
  let timer;
  // Bumped on sign-in and sign-out, so an answer to an older session's request is dropped.
  let session = 0;
  let items = [];
  // The emulator's clock as its Date header gives it: tests and the control surface move it.
  let serverNow = new Date();

  function text(el, value) {
    el.textContent = value;
    return el;
  }

  function cell(value, className) {
    const td = text(document.createElement("td"), value);
    if (className) td.className = className;
    return td;
  }

  function showSignedIn(signedIn) {
    $("sign-in").hidden = signedIn;
    $("keys").hidden = !signedIn;
    $("who").hidden = !signedIn;
    text($("who-email"), signedIn ? (sessionStorage.getItem(EMAIL) || "") : "");
  }

  function showError(id, message) {
    const el = $(id);
    el.hidden = !message;
    text(el, message || "");
  }

  async function errorMessage(res) {
    try {
      const body = await res.json();
      if (body && typeof body.message === "string") return body.message;
    } catch (_) {
      // not JSON: the status says enough
    }
    return "HTTP " + res.status;
  }

  function signOut(message) {
    session += 1;
    clearTimeout(timer);
    token = null;
    items = [];
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(EMAIL);
    $("key-table").tBodies[0].replaceChildren();
    showSignedIn(false);
    showError("sign-in-error", message);
  }

  function setToken(value) {
    token = value;
    sessionStorage.setItem(TOKEN, value);
  }

  /** A request with the session token; a 401 ends the session. Resolves to undefined when it did. */
  async function api(path, mine) {
    const res = await fetch(path, { headers: { Authorization: token }, cache: "no-store" });
    if (mine !== session) return undefined;
    const date = res.headers.get("Date");
    if (date) serverNow = new Date(date);
    if (res.status === 401) {
      signOut("Your session ended (" + (await errorMessage(res)) + "): sign in again.");
      return undefined;
    }
    return res;
  }

  /** Seconds since the epoch when the token expires, from its payload; undefined when unreadable. */
  function tokenExpiry(jwt) {
    try {
      const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const exp = JSON.parse(atob(payload)).exp;
      return typeof exp === "number" ? exp : undefined;
    } catch (_) {
      return undefined;
    }
  }

  async function refreshIfDue(mine) {
    const exp = tokenExpiry(token);
    if (exp === undefined || exp * 1000 - serverNow.getTime() > REFRESH_BEFORE_MS) return;
    const res = await fetch("/v1/auth/refresh/" + encodeURIComponent(token), { cache: "no-store" });
    if (mine !== session || !res.ok) return;
    setToken((await res.json()).Authorization);
  }

  /** As the SDK's apiKeyStatus: past its expiry a key is expired, whatever its flag; else revoked when inactive. */
  function statusOf(item, now) {
    const expiry = Date.parse(item.spec && item.spec.expiry);
    if (!Number.isNaN(expiry) && expiry <= now.getTime()) return "expired";
    return item.status && item.status.isActive === true ? "active" : "revoked";
  }

  function ownerOf(item) {
    const user = (item.spec && item.spec.user) || {};
    const name = [user.firstName, user.lastName].filter(Boolean).join(" ");
    return { uid: user.uid || "", name: name || user.uid || "unknown" };
  }

  function formatTime(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return "—";
    return new Date(t).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function relative(iso, now) {
    const ms = Date.parse(iso) - now.getTime();
    if (Number.isNaN(ms)) return "";
    const abs = Math.abs(ms);
    const amount =
      abs >= 86400000 ? Math.round(abs / 86400000) + " d" : abs >= 3600000 ? Math.round(abs / 3600000) + " h" : Math.max(1, Math.round(abs / 60000)) + " min";
    return ms >= 0 ? "in " + amount : amount + " ago";
  }

  function fillOwners(rows) {
    const select = $("owner-filter");
    const chosen = select.value;
    const owners = new Map();
    for (const row of rows) owners.set(row.owner.uid, row.owner.name);
    const options = [text(new Option(), "All owners")];
    options[0].value = "";
    for (const [uid, name] of [...owners].sort((a, b) => a[1].localeCompare(b[1]))) {
      const option = text(new Option(), name);
      option.value = uid;
      options.push(option);
    }
    select.replaceChildren(...options);
    select.value = owners.has(chosen) ? chosen : "";
  }

  function render() {
    const now = serverNow;
    const rows = items.map((item) => ({ item, owner: ownerOf(item), status: statusOf(item, now) }));
    fillOwners(rows);
    const owner = $("owner-filter").value;
    const status = $("status-filter").value;
    const shown = rows
      .filter((r) => (owner === "" || r.owner.uid === owner) && (status === "" || r.status === status))
      .sort((a, b) => (b.item.metadata.creationTimestamp || "").localeCompare(a.item.metadata.creationTimestamp || "") || a.item.metadata.name.localeCompare(b.item.metadata.name));
    const body = shown.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.uid = r.item.metadata.uid;
      tr.dataset.status = r.status;
      const badge = text(document.createElement("span"), STATUS_MARK[r.status] + " " + STATUS_LABEL[r.status]);
      badge.className = "status status-" + r.status;
      const statusCell = document.createElement("td");
      statusCell.append(badge);
      const expiry = cell(formatTime(r.item.spec.expiry), "time");
      expiry.append(text(document.createElement("small"), relative(r.item.spec.expiry, now)));
      const annotations = r.item.metadata.annotations || {};
      tr.append(
        cell(r.item.metadata.name, "name"),
        cell(r.owner.name, "owner"),
        statusCell,
        expiry,
        cell(annotations.description || "", "description"),
        cell(formatTime(r.item.metadata.creationTimestamp), "time"),
      );
      return tr;
    });
    $("key-table").tBodies[0].replaceChildren(...body);
    $("empty").hidden = shown.length > 0;
    text($("shown"), shown.length + " of " + rows.length + (rows.length === 1 ? " key" : " keys"));
    text($("updated"), "Updated " + now.toISOString().slice(11, 19) + " UTC (emulator clock)");
  }

  async function poll(mine) {
    try {
      await refreshIfDue(mine);
      const res = await api("/v1/apiKeys", mine);
      if (res === undefined) return;
      if (res.ok) {
        const listed = (await res.json()).items || [];
        if (mine !== session) return;
        items = listed;
        showError("list-error", "");
        render();
      } else {
        showError("list-error", "Could not list the keys: " + (await errorMessage(res)) + ". Retrying.");
      }
    } catch (_) {
      if (mine !== session) return;
      showError("list-error", "The emulator does not answer (stopped?). Retrying every " + POLL_MS / 1000 + " s.");
    }
    if (mine === session) timer = setTimeout(() => void poll(mine), POLL_MS);
  }

  /** Says whose keys these are: only a tenant admin may list users, as only they see every key. */
  async function describeScope(mine) {
    try {
      const res = await api("/v1/users/meta", mine);
      if (res === undefined) return;
      text($("scope"), res.ok ? "Every key of the tenant: you are a tenant admin." : "Your own keys: only a tenant admin sees every key of the tenant.");
    } catch (_) {
      // poll() reports an emulator that does not answer
    }
  }

  function start() {
    session += 1;
    const mine = session;
    showSignedIn(true);
    void describeScope(mine);
    void poll(mine);
  }

  async function signIn(event) {
    event.preventDefault();
    const email = $("email").value.trim();
    const password = $("password");
    showError("sign-in-error", "");
    try {
      const res = await fetch("/v1/auth/authenticate", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ emailId: email, password: password.value }),
        cache: "no-store",
      });
      if (!res.ok) {
        showError("sign-in-error", "Sign-in failed: " + (await errorMessage(res)));
        return;
      }
      setToken((await res.json()).Authorization);
      sessionStorage.setItem(EMAIL, email);
      password.value = "";
      start();
    } catch (_) {
      showError("sign-in-error", "The emulator does not answer: is it still running?");
    }
  }

  $("sign-in-form").addEventListener("submit", (e) => void signIn(e));
  $("sign-out").addEventListener("click", () => signOut(""));
  $("owner-filter").addEventListener("change", render);
  $("status-filter").addEventListener("change", render);
  if (token) start();
  else showSignedIn(false);
})();
