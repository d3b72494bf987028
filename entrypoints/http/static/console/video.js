// The video page: the player, details, play sets (live progress), transcode/redo, rename, cover,
// sharing and delete. Every change goes through the JSON API.
import { busy, bytes, element, get, playSetBadge, poll, post, showError, upload, videoBadge } from "/static/console/api.js";

const page = document.getElementById("video-page");
const videoId = page.dataset.videoId;
const player = document.getElementById("player");
let templates = [];
let playerStarted = false;

// The player module is the watch page's (/static/player.js); loaded on its own so the rest of
// the page keeps working if it fails.
async function startPlayerOnce(video) {
  if (playerStarted || !(video.hls_url || video.origin_url)) return;
  playerStarted = true;
  try {
    const { startPlayer } = await import("/static/player.js");
    startPlayer(player, video);
  } catch (error) {
    showError(new Error(`the player could not start (${error.message})`));
  }
}

function detail(list, name, value) {
  list.append(element("dt", name), element("dd", value));
}

function templateName(id) {
  return templates.find((t) => t.task_config_temp_id === id)?.resolution ?? `template ${id}`;
}

function playSetRow(playSet) {
  const tr = element("tr");
  const status = element("td");
  status.append(playSetBadge(playSet.status));
  const progress = element("td");
  const meter = element("progress", "", { max: "1", "aria-label": `progress of ${templateName(playSet.trans_task_config_temp_id)}` });
  meter.value = playSet.trans_progress;
  progress.append(meter, element("span", ` ${Math.round(playSet.trans_progress * 100)}%`));
  const action = element("td");
  const redo = element("button", "Redo", { type: "button" });
  redo.addEventListener("click", () => transcode(playSet.trans_task_config_temp_id, true));
  action.append(redo);
  tr.append(element("td", templateName(playSet.trans_task_config_temp_id)), status, progress,
    element("td", playSet.file_size ? bytes(playSet.file_size) : ""), action);
  return tr;
}

function render(video) {
  document.getElementById("title").textContent = video.video_name || video.id;
  document.title = `${video.video_name || video.id} · vod console`;
  const details = document.getElementById("details");
  details.replaceChildren();
  const status = element("dd");
  status.append(videoBadge(video.status));
  details.append(element("dt", "Status"), status);
  detail(details, "Id", video.id);
  detail(details, "Size", bytes(video.file_size));
  detail(details, "Dimensions", video.video_width ? `${video.video_width} × ${video.video_height}` : "not known yet");
  detail(details, "Duration", video.video_duration ? `${(video.video_duration / 1000).toFixed(1)} s` : "not known yet");
  detail(details, "Created", new Date(video.created_at).toLocaleString());
  if (video.failure_reason) detail(details, "Failure", video.failure_reason);
  document.getElementById("play-sets").replaceChildren(...video.play_set.map(playSetRow));
  const nameBox = document.getElementById("video-name");
  if (document.activeElement !== nameBox) nameBox.value = video.video_name;
  const state = document.getElementById("shared-state");
  if (!page.dataset.shareEdited) {
    state.value = String(video.shared_state);
    document.getElementById("share-password").value = video.share_password;
  }
  const link = document.getElementById("share-link");
  link.href = `/watch/${video.id}`;
  link.textContent = new URL(`/watch/${video.id}`, window.location.origin).href;
  startPlayerOnce(video);
}

async function load() {
  const { video } = await get("/video/api/get", { id: videoId });
  render(video);
  return busy(video);
}

const refresher = poll(load);

async function act(action) {
  try {
    await action();
    showError(null);
    refresher.start();
  } catch (error) {
    showError(error);
  }
}

function transcode(templateId, redo) {
  return act(() => post("/video/api/trans", { id: videoId }, { task_config_temp_id: templateId, redo }));
}

document.getElementById("trans-form").addEventListener("submit", (event) => {
  event.preventDefault();
  transcode(Number(document.getElementById("template").value), document.getElementById("redo").checked);
});

document.getElementById("rename-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(() => post("/video/api/update", { id: videoId }, { video_name: document.getElementById("video-name").value }));
});

document.getElementById("cover-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const file = document.getElementById("cover").files[0];
  if (!file) return;
  act(async () => {
    const stored = await upload(file, () => {});
    await post("/video/api/update", { id: videoId }, { thumb_storage_id: stored.storage_id });
  });
});

for (const id of ["shared-state", "share-password"]) {
  document.getElementById(id).addEventListener("input", () => {
    page.dataset.shareEdited = "1";
  });
}
document.getElementById("share-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(async () => {
    await post("/video/api/set_video_password", { id: videoId }, {
      shared_state: Number(document.getElementById("shared-state").value),
      password: document.getElementById("share-password").value,
    });
    delete page.dataset.shareEdited;
  });
});

document.getElementById("delete").addEventListener("click", async () => {
  if (!window.confirm("Delete this video, its transcodes and its files? This cannot be undone.")) return;
  try {
    await post("/video/api/delete", { id: videoId });
    window.location.assign("/console");
  } catch (error) {
    showError(error);
  }
});

async function start() {
  try {
    ({ templates } = await get("/video/api/list_trans_templates"));
    document.getElementById("template").replaceChildren(
      ...templates.map((t) => element("option", t.resolution, { value: String(t.task_config_temp_id) })),
    );
  } catch (error) {
    showError(error);
  }
  refresher.start();
}

start();
