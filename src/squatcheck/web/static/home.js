// The start page: upload a file, or record one with the webcam (getUserMedia + MediaRecorder).
import { api, megabytes } from "/static/common.js";

const $ = (id) => document.getElementById(id);
let maxBytes = Infinity;
let stream = null, recorder = null, chunks = [], recording = null, timer = null;

function showError(message) { $("error").textContent = message || ""; }

async function loadLimits() {
  const { ok, data } = await api("/api/config");
  if (ok) {
    maxBytes = data.max_upload_bytes;
    $("limit").textContent = `Up to ${megabytes(maxBytes)}. MP4, MOV, WebM, AVI, MKV or GIF.`;
  }
}

// XMLHttpRequest, not fetch: it reports upload progress.
function send(blob, filename) {
  showError("");
  if (blob.size > maxBytes) {
    showError(`This video is ${megabytes(blob.size)}; the limit is ${megabytes(maxBytes)}. Trim it or record a shorter clip.`);
    return;
  }
  const form = new FormData();
  form.append("video", blob, filename);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/analyses");
  xhr.responseType = "json";
  $("sending").hidden = false;
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) $("send-progress").value = e.loaded / e.total; };
  xhr.onload = () => {
    const data = xhr.response || {};
    if (xhr.status === 202 && data.id) {
      window.location.assign(`/analyses/${encodeURIComponent(data.id)}`);
    } else {
      $("sending").hidden = true;
      showError(data.error || `The server answered ${xhr.status}.`);
    }
  };
  xhr.onerror = () => {
    $("sending").hidden = true;
    showError("The video could not be sent; is the squatcheck server still running?");
  };
  xhr.send(form);
}

$("upload-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) { showError("Choose a video file first."); return; }
  send(file, file.name);
});

function pickMimeType() {
  const types = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm", "video/mp4"];
  return types.find((t) => window.MediaRecorder && MediaRecorder.isTypeSupported(t)) || "";
}

async function startCamera() {
  showError("");
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showError("This browser cannot use a camera here (open the page at http://127.0.0.1 or http://localhost).");
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
  } catch (err) {
    showError(`No camera: ${err.message || err.name}. Allow camera access, or upload a video instead.`);
    return;
  }
  $("preview").srcObject = stream;
  $("preview").hidden = false;
  $("playback").hidden = true;
  $("recorded-actions").hidden = true;
  $("camera-start").disabled = true;
  $("record-start").disabled = false;
}

function startRecording() {
  const mimeType = pickMimeType();
  try {
    recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
  } catch (err) {
    showError(`This browser cannot record video: ${err.message}`);
    return;
  }
  chunks = [];
  recorder.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
  recorder.onstop = finishRecording;
  recorder.start(250);
  const t0 = Date.now();
  timer = setInterval(() => {
    $("record-time").textContent = `● recording ${((Date.now() - t0) / 1000).toFixed(0)} s`;
  }, 250);
  $("record-start").disabled = true;
  $("record-stop").disabled = false;
}

function stopCamera() {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  $("preview").srcObject = null;
  $("preview").hidden = true;
}

function finishRecording() {
  clearInterval(timer);
  $("record-time").textContent = "";
  const type = (recorder.mimeType || "video/webm").split(";")[0];
  recording = new Blob(chunks, { type });
  stopCamera();
  $("playback").src = URL.createObjectURL(recording);
  $("playback").hidden = false;
  $("recorded-actions").hidden = false;
  $("record-stop").disabled = true;
  $("camera-start").disabled = false;
}

$("camera-start").addEventListener("click", startCamera);
$("record-start").addEventListener("click", startRecording);
$("record-stop").addEventListener("click", () => recorder && recorder.state !== "inactive" && recorder.stop());
$("record-discard").addEventListener("click", () => {
  recording = null;
  $("playback").hidden = true;
  $("recorded-actions").hidden = true;
  startCamera();
});
$("record-upload").addEventListener("click", () => {
  if (!recording) return;
  const stamp = new Date().toISOString().replace(/[:T]/g, "-").slice(0, 19);
  const ext = recording.type.includes("mp4") ? "mp4" : "webm";
  send(recording, `webcam-${stamp}.${ext}`);
});

loadLimits();
