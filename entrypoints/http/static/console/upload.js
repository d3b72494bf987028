// Upload: several files by drag and drop or the file input, each with its progress, then "create video".
import { element, post, upload } from "/static/console/api.js";

const list = document.getElementById("uploads");
const autoTrans = document.getElementById("auto-trans");

async function send(file) {
  const item = element("li", "", { class: "upload" });
  const label = element("span", file.name, { class: "name" });
  const meter = element("progress", "", { max: "1", "aria-label": `upload of ${file.name}` });
  meter.value = 0;
  const status = element("span", "uploading", { class: "status", role: "status" });
  item.append(label, meter, status);
  list.append(item);
  try {
    const stored = await upload(file, (fraction) => {
      meter.value = fraction;
    });
    meter.value = 1;
    status.textContent = "creating the video";
    const created = await post("/video/api/create", {}, {
      storage_id: stored.storage_id,
      video_name: file.name,
      skip_auto_trans: !autoTrans.checked,
    });
    status.replaceChildren(element("a", "uploaded: open the video", { href: `/console/videos/${created.id}` }));
    item.dataset.videoId = created.id;
  } catch (error) {
    item.classList.add("failed");
    status.textContent = `failed: ${error.message}`;
  }
}

function sendAll(files) {
  for (const file of files) send(file);
}

const input = document.getElementById("files");
input.addEventListener("change", () => {
  sendAll(Array.from(input.files));
  input.value = "";
});

const drop = document.getElementById("drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  sendAll(Array.from(event.dataTransfer.files));
});
