// The console's one way to the service: the JSON API, same-origin, with the session cookie
// (sent by the browser, unreadable here) and the session's CSRF token on every POST.
export const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export class ApiError extends Error {
  constructor(errcode, msg) {
    super(msg);
    this.errcode = errcode;
  }
}

export function apiUrl(path, query = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  return url.pathname + url.search;
}

async function answer(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(0, `the service answered ${response.status} without a message`);
  }
  if (body.errcode !== 1000) {
    if (response.status === 401) window.location.assign("/console");
    throw new ApiError(body.errcode, body.msg);
  }
  return body;
}

export async function get(path, query = {}) {
  return answer(await fetch(apiUrl(path, query), { credentials: "same-origin" }));
}

export async function post(path, query = {}, body = undefined) {
  const headers = { "X-CSRF-Token": csrfToken };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(apiUrl(path, query), {
    method: "POST",
    credentials: "same-origin",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer(response);
}

// Uploads one small file (a cover image) to /storage/api/upload with progress (XHR has it, fetch not).
export function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", apiUrl("/storage/api/upload", { filename: file.name }));
    xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let body;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        reject(new ApiError(0, `the service answered ${xhr.status} without a message`));
        return;
      }
      if (body.errcode === 1000) resolve(body);
      else reject(new ApiError(body.errcode, body.msg));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "the upload was cut off (network error)")));
    xhr.send(file);
  });
}

export function showError(error) {
  const box = document.getElementById("error");
  if (!box) return;
  box.textContent = error ? `Error: ${error.message}` : "";
  box.hidden = !error;
}

export const VIDEO_STATUS = { 0: "processing", 1: "ready", 2: "uploading", 3: "upload failed", 4: "deleted" };
export const PLAY_SET_STATUS = {
  0: "queued", 1: "ready", 2: "transcoding", 3: "transcoded", 4: "transcode failed",
  5: "storing", 6: "store failed", 7: "deleted",
};
export const TRANSIENT_VIDEO = new Set([0, 2]);
export const TRANSIENT_PLAY_SET = new Set([0, 2, 3, 5]);

export function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `badge badge-${kind}`;
  span.textContent = text;
  return span;
}

export function videoBadge(status) {
  return badge(VIDEO_STATUS[status] ?? `status ${status}`, `video-${status}`);
}

export function playSetBadge(status) {
  return badge(PLAY_SET_STATUS[status] ?? `status ${status}`, `play-set-${status}`);
}

export function busy(video) {
  return TRANSIENT_VIDEO.has(video.status) || video.play_set.some((p) => TRANSIENT_PLAY_SET.has(p.status));
}

export function bytes(count) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

export function element(tag, text = "", attributes = {}) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// Polls `load` every `intervalMs` while it returns true; a failed round shows its error and goes on.
export function poll(load, intervalMs = 1500) {
  let timer = null;
  async function round() {
    timer = null;
    let again = false;
    try {
      again = await load();
      showError(null);
    } catch (error) {
      showError(error);
      again = true;
    }
    if (again) timer = setTimeout(round, intervalMs);
  }
  return {
    start() {
      if (timer === null) round();
    },
  };
}
