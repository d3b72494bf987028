// The watch and embed pages: play the public video the page carries, or ask
// for the password of a password video and play what get_shared_video returns.
// Errors are shown in the API's own words (its `msg`).
import { startPlayer } from '/static/player.js';

const root = document.getElementById('watch');
const videoElement = document.getElementById('watch-video');
const videoError = document.getElementById('watch-video-error');
const videoId = root.dataset.videoId;

/** The shared video object, with freshly signed URLs; throws an Error whose message is the API's `msg`. */
async function fetchShared(password) {
  const query = new URLSearchParams({ id: videoId });
  if (password) {
    query.set('password', password);
  }
  const response = await fetch(`/video/api/get_shared_video?${query}`, { cache: 'no-store', credentials: 'omit' });
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    throw new Error(`The service answered ${response.status}.`);
  }
  if (body.errcode !== 1000) {
    throw new Error(body.msg || `The service answered ${response.status}.`);
  }
  return body.video;
}

function play(video, password) {
  const title = document.getElementById('watch-title');
  if (title) {
    title.textContent = video.video_name;
  }
  document.title = video.video_name;
  videoElement.setAttribute('aria-label', video.video_name);
  videoElement.hidden = false;
  videoElement.addEventListener('error', () => {
    videoError.textContent = 'The video could not be played.';
  });
  videoElement.addEventListener('loadeddata', () => {
    videoError.textContent = '';
  });
  startPlayer(videoElement, video, { refresh: () => fetchShared(password) });
}

function askForPassword(form) {
  const input = form.querySelector('input[name="password"]');
  const button = form.querySelector('button[type="submit"]');
  const error = document.getElementById('watch-password-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = '';
    const password = input.value;
    try {
      const video = await fetchShared(password);
      form.hidden = true;
      play(video, password);
      videoElement.focus();
    } catch (failure) {
      error.textContent = failure.message;
      input.select();
    } finally {
      button.disabled = false;
    }
  });
  input.focus();
}

if (root.dataset.video) {
  play(JSON.parse(root.dataset.video), '');
} else {
  askForPassword(document.getElementById('watch-password'));
}
