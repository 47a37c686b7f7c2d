// One analysis: poll the JSON API while it is queued or running, then show the result.
import { api, el, describeSummary, when } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const id = decodeURIComponent(window.location.pathname.split("/").pop());
const url = `/api/analyses/${encodeURIComponent(id)}`;
const STAGES = { starting: "Starting…", pose: "Finding the body in each frame…",
                 report: "Writing the report…" };
const LINKS = [["report", "Open the report"], ["json", "Download JSON"], ["csv", "Download CSV"],
               ["video", "Download the video"]];

function showProgress(a) {
  const percent = Math.round((a.progress || 0) * 100);
  let text;
  if (a.status === "queued") {
    const ahead = a.queue_position || 0;
    text = ahead ? `Waiting: ${ahead} video${ahead === 1 ? "" : "s"} ahead of this one` : "Waiting to start…";
  } else {
    text = `${STAGES[a.stage] || "Analysing…"} ${percent} %`;
  }
  $("status-text").textContent = text;
  $("progress").value = a.progress || 0;
}

function showResult(a) {
  $("waiting").hidden = true;
  $("result").hidden = false;
  $("summary").textContent = describeSummary(a.summary) || "Done.";
  const files = a.files || {};
  const links = $("downloads");
  links.replaceChildren();
  for (const [name, label] of LINKS) {
    if (!files[name]) continue;
    const attrs = name === "report"
      ? { href: files[name], target: "_blank", rel: "noopener", class: "button secondary", id: `link-${name}` }
      : { href: `${files[name]}?download=1`, download: "", class: "button secondary", id: `link-${name}` };
    links.append(el("a", attrs, label));
  }
  if (files.video) {
    $("annotated").src = files.video;
    $("video-card").hidden = false;
  }
  if (files.report) {
    $("report").src = files.report;
    $("report").hidden = false;
  } else {
    $("report-missing").hidden = false;
  }
}

async function poll() {
  const { ok, data } = await api(url);
  if (!ok) {
    $("waiting").hidden = true;
    $("error").textContent = data.error;
    return;
  }
  $("title").textContent = data.filename;
  $("subtitle").textContent = `Uploaded ${when(data.created_at)}`;
  document.body.dataset.status = data.status;
  if (data.status === "done") {
    showResult(data);
  } else if (data.status === "failed") {
    $("waiting").hidden = true;
    $("failed").hidden = false;
    $("failure").textContent = data.error;
  } else {
    showProgress(data);
    setTimeout(poll, 1000);
  }
}

$("delete").addEventListener("click", async () => {
  if (!window.confirm("Delete this analysis and its video from this computer?")) return;
  const { ok, data } = await api(url, { method: "DELETE" });
  if (ok) window.location.assign("/history");
  else $("error").textContent = data.error;
});

poll();
