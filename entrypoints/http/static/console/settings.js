// Settings: auto-transcode templates, callbacks (the signing secret shown on request), dead webhook events.
import { element, get, post, showError } from "/static/console/api.js";

async function act(action) {
  try {
    await action();
    showError(null);
  } catch (error) {
    showError(error);
  }
}

async function loadTemplates() {
  const [{ templates }, { task_config_temp_ids: chosen }] = await Promise.all([
    get("/video/api/list_trans_templates"),
    get("/video/api/get_trans_config"),
  ]);
  const box = document.getElementById("templates");
  box.replaceChildren(box.querySelector("legend"), ...templates.map((t) => {
    const label = element("label");
    const input = element("input", "", { type: "checkbox", name: "template", value: String(t.task_config_temp_id) });
    input.checked = chosen.includes(t.task_config_temp_id);
    label.append(input, ` ${t.resolution}`);
    return label;
  }));
}

async function loadCallbacks() {
  const { callbacks } = await get("/notify/api/list_callbacks");
  document.getElementById("callbacks").replaceChildren(...callbacks.map((c) => {
    const tr = element("tr");
    const action = element("td");
    const remove = element("button", "Delete", { type: "button", "aria-label": `delete the ${c.event} callback` });
    remove.addEventListener("click", () => act(async () => {
      await post("/notify/api/delete_callback", {}, { event: c.event });
      await loadCallbacks();
    }));
    action.append(remove);
    tr.append(element("td", c.event), element("td", c.url), action);
    return tr;
  }));
  return callbacks;
}

async function loadDeadEvents() {
  const { events } = await get("/notify/api/list_dead_events");
  const rows = events.map((e) => {
    const tr = element("tr");
    tr.append(element("td", e.event_type), element("td", e.payload.video_id ?? ""),
      element("td", new Date(e.created_at).toLocaleString()), element("td", String(e.attempts)), element("td", e.last_error));
    return tr;
  });
  if (!rows.length) {
    const empty = element("tr");
    empty.append(element("td", "None: every event was delivered or is still being retried.", { colspan: "5" }));
    rows.push(empty);
  }
  document.getElementById("dead-events").replaceChildren(...rows);
}

document.getElementById("trans-config-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const ids = Array.from(document.querySelectorAll('input[name="template"]:checked'), (i) => Number(i.value));
  act(async () => {
    if (ids.length) await post("/video/api/save_trans_config", {}, { task_config_temp_ids: ids });
    else await post("/video/api/delete_trans_config");
    await loadTemplates();
  });
});

document.getElementById("callback-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(async () => {
    await post("/notify/api/set_callback", {}, {
      event: document.getElementById("event").value,
      url: document.getElementById("callback-url").value,
    });
    await loadCallbacks();
  });
});

document.getElementById("show-secret").addEventListener("click", () => act(async () => {
  const callbacks = await loadCallbacks();
  document.getElementById("secret").textContent = callbacks.length
    ? `Signing secret: ${callbacks[0].secret}`
    : "Set a callback first: the secret signs its deliveries.";
}));

document.getElementById("rotate-secret").addEventListener("click", () => {
  if (!window.confirm("Rotate the signing secret? Receivers must use the new one from now on.")) return;
  act(async () => {
    const { secret } = await post("/notify/api/rotate_callback_secret");
    document.getElementById("secret").textContent = `New signing secret: ${secret}`;
  });
});

act(() => Promise.all([loadTemplates(), loadCallbacks(), loadDeadEvents()]));
