"""The client's settings and the file that remembers unfinished uploads (what ``vod upload`` resumes from)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from entrypoints.client import ClientSettings
from entrypoints.client.upload_memory import FileKey, UploadMemory


def test_options_win_over_the_environment_which_wins_over_the_defaults(tmp_path: Path) -> None:
    env = {"VOD_API_URL": "http://127.0.0.2:9000/", "VOD_API_KEY": "env-key", "VOD_UPLOAD_STATE": "/x/u.json"}
    assert ClientSettings.resolve("http://127.0.0.3:1", "opt-key", env) == ClientSettings(
        "http://127.0.0.3:1", "opt-key", Path("/x/u.json")
    )
    from_env = ClientSettings.resolve(None, None, env)
    assert (from_env.api_url, from_env.api_key) == ("http://127.0.0.2:9000", "env-key")
    default = ClientSettings.resolve(None, None, {})
    assert (default.api_url, default.api_key, default.upload_state.name) == (
        "http://127.0.0.1:8000",
        "",
        "uploads.json",
    )


def test_a_changed_file_is_another_upload(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"first")
    memory = UploadMemory(tmp_path / "state" / "uploads.json")
    before = FileKey.of("http://127.0.0.1:8000", clip)
    memory.remember(before, "http://127.0.0.1:8000/storage/api/tus/abc")
    clip.write_bytes(b"second, longer")
    after = FileKey.of("http://127.0.0.1:8000", clip)
    assert memory.recall(after) is None
    assert memory.recall(before) == "http://127.0.0.1:8000/storage/api/tus/abc"
    assert memory.recall(FileKey.of("http://127.0.0.9:8000", clip)) is None


def test_a_damaged_state_file_is_started_afresh(tmp_path: Path) -> None:
    state = tmp_path / "uploads.json"
    state.write_text("{not json")
    key = FileKey("http://h", "/a", 1, 2)
    assert UploadMemory(state).recall(key) is None
    UploadMemory(state).remember(key, "http://h/u")
    assert UploadMemory(state).recall(key) == "http://h/u"


KEYS = st.builds(
    FileKey,
    st.just("http://127.0.0.1:8000"),
    st.sampled_from(["/a b.mp4", "/ü.mp4", "/c"]),
    st.integers(0, 3),
    st.integers(0, 3),
)
OPS = st.lists(st.tuples(st.sampled_from(["remember", "forget"]), KEYS, st.text(max_size=20)), max_size=20)


@settings(max_examples=50, deadline=None)
@given(OPS)
def test_the_state_file_behaves_like_a_dict_and_leaves_no_temporary_files(
    operations: list[tuple[str, FileKey, str]],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        memory = UploadMemory(Path(directory) / "uploads.json")
        model: dict[FileKey, str] = {}
        seen: set[FileKey] = set()
        for op, key, url in operations:
            seen.add(key)
            if op == "remember":
                memory.remember(key, url)
                model[key] = url
            else:
                memory.forget(key)
                model.pop(key, None)
            fresh = UploadMemory(memory.state_file)  # what the next run reads
            assert {k: fresh.recall(k) for k in seen} == {k: model.get(k) for k in seen}
        assert [name for name in os.listdir(directory) if name != "uploads.json"] == []
