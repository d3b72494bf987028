"""The exact field lists of the seed's responses (vod-api.zh.txt), in its order, with Part C's additions last."""

VIDEO_FIELDS = [
    "id",
    "created_at",
    "updated_at",
    "source_type",
    "source_id",
    "status",
    "storage_id",
    "origin_url",
    "thumb_url",
    "file_size",
    "video_name",
    "video_width",
    "video_height",
    "video_duration",
    "shared_state",
    "share_password",
    "play_set",
    "hls_url",  # API.md C1
    "failure_reason",  # API.md C3
]
PLAY_SET_FIELDS = [
    "play_set_id",
    "created_at",
    "updated_at",
    "storage_id",
    "status",
    "trans_progress",
    "trans_task_config_temp_id",
    "url",
    "file_size",
    "video_width",
    "video_height",
    "video_duration",
    "resolution",
    "failure_reason",  # API.md C3
]
