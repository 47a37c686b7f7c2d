// Shared helpers for the squatcheck pages. Data is always inserted as text, never as HTML.

export async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...options });
  } catch (err) {
    return { ok: false, status: 0, data: { error: "The squatcheck server cannot be reached; is it still running?" } };
  }
  let data = {};
  try { data = await response.json(); } catch (err) { data = {}; }
  if (!response.ok && !data.error) data.error = `The server answered ${response.status}.`;
  return { ok: response.ok, status: response.status, data };
}

export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function when(seconds) {
  return seconds ? new Date(seconds * 1000).toLocaleString() : "";
}

export function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

export function describeSummary(summary) {
  if (!summary) return "";
  const words = { single_leg_squat: "single-leg squat", double_leg_squat: "double-leg squat",
                  not_squat: "no squat found" };
  const parts = [words[summary.exercise] || summary.exercise];
  if (summary.exercise !== "not_squat") parts.push(`${summary.reps} rep${summary.reps === 1 ? "" : "s"}`);
  if (summary.view) parts.push(`${summary.view} view`);
  let text = parts.join(", ");
  if (summary.overall && summary.overall !== "not_assessable") text += ` — overall: ${summary.overall}`;
  if (summary.present && summary.present.length) {
    text += `; watch: ${summary.present.map((name) => name.replaceAll("_", " ")).join(", ")}`;
  }
  return text;
}
