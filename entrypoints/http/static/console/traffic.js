// Traffic: daily chart of the user, per-minute chart of one video, the totals table and CSV downloads.
import { apiUrl, bytes, element, get, showError } from "/static/console/api.js";
import { barChart } from "/static/console/chart.js";

const zone = document.getElementById("traffic-page").dataset.timeZone;
const DAY_S = 86400;

// The Unix second of midnight starting `isoDate` (YYYY-MM-DD) in the service zone.
function midnight(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(guess)).map((p) => [p.type, p.value]),
  );
  const shown = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return (guess - (shown - guess)) / 1000;
}

// YYYY-MM-DD of `date` in the service zone (its "today" may not be the browser's).
function isoDay(date) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(date);
}

const params = new URLSearchParams(window.location.search);
const now = new Date();
document.getElementById("end").value = params.get("end") ?? isoDay(now);
document.getElementById("start").value = params.get("start") ?? isoDay(new Date(now.getTime() - 6 * DAY_S * 1000));
document.getElementById("video").value = params.get("video") ?? "";

async function show() {
  const start = midnight(document.getElementById("start").value);
  const end = midnight(document.getElementById("end").value);
  const videoId = document.getElementById("video").value.trim();
  const days = await get("/video/api/list_user_video_day_summary", { start, end });
  const dayPoints = days.user_video_day_summary_list.map((r) => ({ label: r.date.slice(5), value: r.total_bytes }));
  document.getElementById("day-chart").replaceChildren(barChart(dayPoints, { title: "Bytes served per day", format: bytes }));
  document.getElementById("day-csv").href = apiUrl("/video/api/export_user_video_day_summary", { start, end });

  const { user_video_total_summary: total } = await get("/video/api/get_user_video_total_summary");
  document.getElementById("total").textContent = `All traffic of your videos, ever: ${bytes(total.total_bytes)}`;

  const window_ = { start, end: end + DAY_S - 1 };
  const totals = await get("/video/api/list_video_total_summary", { ...window_, page_size: 100 });
  document.getElementById("totals").replaceChildren(...totals.video_total_summary_list.map((row) => {
    const tr = element("tr");
    const name = element("td");
    name.append(element("a", row.video_name || row.video_id, { href: `/console/traffic?${new URLSearchParams({ video: row.video_id })}` }));
    tr.append(name, element("td", new Date(row.video_created_at).toLocaleString()), element("td", bytes(row.total_bytes)));
    return tr;
  }));
  document.getElementById("totals-csv").href = apiUrl("/video/api/export_video_total_summary", window_);

  const section = document.getElementById("minute-section");
  section.hidden = !videoId;
  if (videoId) {
    const stats = await get("/video/api/list_video_statistic", { id: videoId, ...window_ });
    document.getElementById("minute-video").textContent = videoId;
    const points = stats.video_statistic.map((r) => ({ label: new Date(r.time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }), value: r.bytes }));
    document.getElementById("minute-chart").replaceChildren(
      points.length ? barChart(points, { title: "Bytes served per minute", format: bytes }) : element("p", "No traffic in this window."),
    );
  }
}

async function run() {
  try {
    await show();
    showError(null);
  } catch (error) {
    showError(error);
  }
}

document.getElementById("window-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
run();
