// The library: search, paging, status badges; refreshes itself while a video or transcode is under way.
import { busy, element, get, playSetBadge, poll, videoBadge } from "/static/console/api.js";

const PAGE_SIZE = 15;
const params = new URLSearchParams(window.location.search);
const state = { search: params.get("search") ?? "", page: Math.max(1, Number(params.get("page")) || 1), count: 0 };
const searchBox = document.getElementById("search");
searchBox.value = state.search;

function progressOf(playSet) {
  const meter = element("progress", "", { max: "1", "aria-label": `transcode ${playSet.resolution || ""}` });
  meter.value = playSet.trans_progress;
  return meter;
}

function row(video) {
  const tr = element("tr");
  tr.dataset.videoId = video.id;
  const cover = element("td");
  if (video.thumb_url) cover.append(element("img", "", { src: video.thumb_url, alt: "", class: "thumb" }));
  const name = element("td");
  name.append(element("a", video.video_name || video.id, { href: `/console/videos/${video.id}` }));
  const status = element("td");
  status.append(videoBadge(video.status));
  if (video.failure_reason) status.append(element("span", ` ${video.failure_reason}`, { class: "hint" }));
  const sets = element("td");
  for (const playSet of video.play_set) {
    const item = element("span", "", { class: "play-set" });
    item.append(element("span", `${playSet.resolution || playSet.trans_task_config_temp_id} `), playSetBadge(playSet.status));
    if (playSet.status !== 1) item.append(progressOf(playSet));
    sets.append(item);
  }
  tr.append(cover, name, status, sets, element("td", new Date(video.created_at).toLocaleString()));
  return tr;
}

async function load() {
  const found = await get("/video/api/search", { search: state.search, page: state.page, page_size: PAGE_SIZE });
  state.count = found.count;
  document.getElementById("videos").replaceChildren(...found.videos.map(row));
  const pages = Math.max(1, Math.ceil(found.count / PAGE_SIZE));
  document.getElementById("count").textContent =
    found.count === 1 ? "1 video" : `${found.count} videos`;
  document.getElementById("page-info").textContent = `Page ${state.page} of ${pages}`;
  document.getElementById("prev").disabled = state.page <= 1;
  document.getElementById("next").disabled = state.page >= pages;
  return found.videos.some(busy);
}

const refresher = poll(load);

function go(page) {
  state.page = page;
  const query = new URLSearchParams();
  if (state.search) query.set("search", state.search);
  if (page > 1) query.set("page", String(page));
  history.replaceState(null, "", `/console${query.size ? `?${query}` : ""}`);
  refresher.start();
}

document.getElementById("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.search = searchBox.value.trim();
  go(1);
});
document.getElementById("prev").addEventListener("click", () => go(state.page - 1));
document.getElementById("next").addEventListener("click", () => go(state.page + 1));
refresher.start();
