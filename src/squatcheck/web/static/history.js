// The history: every analysis kept on disk, each openable and deletable.
import { api, el, describeSummary, when } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const LABELS = { queued: "waiting", running: "analysing", done: "done", failed: "failed" };

function row(a) {
  const tr = el("tr", { "data-id": a.id });
  tr.append(el("td", {}, when(a.created_at)));
  const name = el("td");
  name.append(el("a", { href: a.page }, a.filename));
  tr.append(name);
  const status = a.status === "running" ? `analysing ${Math.round(a.progress * 100)} %` : LABELS[a.status];
  tr.append(el("td", { class: `status-${a.status}` }, status));
  tr.append(el("td", {}, a.status === "failed" ? a.error : describeSummary(a.summary)));
  const actions = el("td");
  const button = el("button", { type: "button", class: "danger" }, "Delete");
  button.addEventListener("click", () => remove(a, tr));
  actions.append(button);
  tr.append(actions);
  return tr;
}

async function remove(a, tr) {
  if (!window.confirm(`Delete the analysis of ${a.filename} and its video from this computer?`)) return;
  const { ok, data } = await api(a.url, { method: "DELETE" });
  if (!ok) { $("error").textContent = data.error; return; }
  tr.remove();
  if (!$("rows").children.length) { $("table").hidden = true; $("empty").hidden = false; }
}

async function load() {
  const { ok, data } = await api("/api/analyses");
  if (!ok) { $("error").textContent = data.error; return; }
  $("rows").replaceChildren(...data.analyses.map(row));
  $("table").hidden = !data.analyses.length;
  $("empty").hidden = !!data.analyses.length;
  if (data.analyses.some((a) => a.status === "queued" || a.status === "running")) setTimeout(load, 2000);
}

load();
