// The player shared by the console's video page and the watch/embed pages.
//
// startPlayer(videoElement, video[, options]) plays the API's video object
// (as /video/api/get or get_shared_video return it) in a <video> element:
// the cover (thumb_url) as poster; the HLS master playlist (hls_url) where
// the browser plays HLS natively; else the progressive file of the ready play
// set that best fits the element's rendered size; else the original upload.
// No HLS library is loaded (nothing comes from another origin, no build step):
// a browser without native HLS gets the progressive file, which every browser
// plays.
//
// Media URLs are signed and expire (VOD_URL_TTL). When the element reports a
// media error and options.refresh (an async function returning a fresh video
// object) is given, the player fetches new URLs once and resumes where it was.

const HLS_TYPE = 'application/vnd.apple.mpegurl';
const READY = 1;
const MIN_REFRESH_INTERVAL_MS = 10000;

/** The progressive play set that fits `wantedHeight` pixels: the smallest as high or higher, else the largest. */
export function bestPlaySet(playSets, wantedHeight) {
  const ready = (playSets || [])
    .filter((p) => p.status === READY && p.url)
    .sort((a, b) => a.video_height - b.video_height || a.video_width - b.video_width);
  if (ready.length === 0) {
    return null;
  }
  return ready.find((p) => p.video_height >= wantedHeight) || ready[ready.length - 1];
}

/** The URL `videoElement` should play for `video`, or '' when there is none. */
export function chooseSource(videoElement, video) {
  if (video.hls_url && videoElement.canPlayType(HLS_TYPE) !== '') {
    return video.hls_url;
  }
  const renderedHeight = videoElement.getBoundingClientRect().height || videoElement.clientHeight || 0;
  const fitting = bestPlaySet(video.play_set, renderedHeight * (window.devicePixelRatio || 1));
  return fitting ? fitting.url : video.origin_url || '';
}

function load(videoElement, video) {
  if (video.thumb_url) {
    videoElement.poster = video.thumb_url;
  } else {
    videoElement.removeAttribute('poster');
  }
  const source = chooseSource(videoElement, video);
  if (!source) {
    videoElement.removeAttribute('src');
  } else if (videoElement.getAttribute('src') !== source) {
    videoElement.src = source; // the same URL again would restart playback
  }
}

// Per element: the refresh function of its latest startPlayer call, so a second call adds no listeners.
const players = new WeakMap();

function watchForExpiredUrls(videoElement, state) {
  videoElement.addEventListener('timeupdate', () => {
    state.resumeTime = videoElement.currentTime;
  });
  videoElement.addEventListener('error', async () => {
    const now = Date.now();
    if (!state.refresh || now - state.lastRefresh < MIN_REFRESH_INTERVAL_MS) {
      return; // no way to refresh, or fresh URLs did not help: leave the error shown
    }
    state.lastRefresh = now;
    const playing = state.playing;
    let fresh;
    try {
      fresh = await state.refresh();
    } catch (error) {
      return;
    }
    if (!fresh) {
      return;
    }
    const time = state.resumeTime;
    videoElement.addEventListener('loadedmetadata', () => {
      if (time > 0) {
        videoElement.currentTime = time;
      }
      if (playing) {
        videoElement.play().catch(() => {});
      }
    }, { once: true });
    videoElement.removeAttribute('src'); // the expired URL may be the same string as before
    load(videoElement, fresh);
  });
  videoElement.addEventListener('play', () => { state.playing = true; });
  videoElement.addEventListener('pause', () => { state.playing = false; });
}

export function startPlayer(videoElement, video, options = {}) {
  let state = players.get(videoElement);
  if (!state) {
    state = { refresh: null, lastRefresh: 0, resumeTime: 0, playing: false };
    players.set(videoElement, state);
    watchForExpiredUrls(videoElement, state);
  }
  state.refresh = options.refresh || null;
  load(videoElement, video);
}
