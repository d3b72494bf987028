// Upload: several files by drag and drop or the file input, each with its progress, then "create video".
// Files go through tus (/storage/api/tus, tus-js-client vendored beside this file): a network failure
// is retried from the last byte the service has, and the same file chosen again after a reload
// continues its unfinished upload (tus-js-client keeps the upload URL, not a credential, in localStorage).
import { csrfToken, element, post } from "/static/console/api.js";

const ENDPOINT = "/storage/api/tus";
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000, 20000];
const list = document.getElementById("uploads");
const autoTrans = document.getElementById("auto-trans");

function storeResumably(file, onProgress) {
  return new Promise((resolve, reject) => {
    const upload = new window.tus.Upload(file, {
      endpoint: ENDPOINT,
      headers: { "X-CSRF-Token": csrfToken },
      metadata: { filename: file.name },
      retryDelays: RETRY_DELAYS_MS,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => onProgress(total ? sent / total : 0),
      onSuccess: () => resolve(upload.url.split("/").pop()),
      onError: (error) => {
        const body = error.originalResponse?.getBody();
        let message = error.message;
        try {
          message = JSON.parse(body).msg || message;
        } catch {
          // not a JSON answer: tus-js-client's own message says what failed
        }
        reject(new Error(message));
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}

async function send(file) {
  const item = element("li", "", { class: "upload" });
  const label = element("span", file.name, { class: "name" });
  const meter = element("progress", "", { max: "1", "aria-label": `upload of ${file.name}` });
  meter.value = 0;
  const status = element("span", "uploading", { class: "status", role: "status" });
  item.append(label, meter, status);
  list.append(item);
  try {
    const storageId = await storeResumably(file, (fraction) => {
      meter.value = fraction;
      status.textContent = `uploading: ${Math.floor(fraction * 100)}%`;
    });
    meter.value = 1;
    status.textContent = "creating the video";
    const created = await post("/video/api/create", {}, {
      storage_id: storageId,
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
function sendChosen() {
  sendAll(Array.from(input.files));
  input.value = "";
}
input.addEventListener("change", sendChosen);
// Files chosen before this module ran (it loads after the page is shown) fired no change event we saw.
if (input.files.length) sendChosen();

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
