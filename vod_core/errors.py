"""Domain errors, one name per contract code (API.md "Error codes").

Every error the core raises on purpose is a :class:`VodError` carrying the
contract's ``code`` and a message that names what was wrong, so every
entrypoint can translate it without knowing the use case that raised it.
"""

from __future__ import annotations

OK = 1000


class VodError(Exception):
    """An error with a contract code (3101–3164)."""

    code: int = 0
    default_message: str = "error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}, {self.message!r})"


class InvalidParameter(VodError):
    """3101. ``field`` names the parameter that was wrong."""

    code = 3101
    default_message = "invalid parameter"

    def __init__(self, field: str, reason: str = "is invalid") -> None:
        self.field = field
        super().__init__(f"{field} {reason}")


class NotFound(VodError):
    """3102: missing, deleted or another user's — indistinguishable on purpose."""

    code = 3102
    default_message = "file or video not found"


class VideoNotReady(VodError):
    code = 3103
    default_message = "video is still uploading"


class VideoUploadFailed(VodError):
    code = 3104
    default_message = "video upload failed"


class TranscodeExists(VodError):
    code = 3105
    default_message = "a transcode of this template is running or done"


class AlreadyInLibrary(VodError):
    code = 3106
    default_message = "this file is already in the media library"


class UnusableFile(VodError):
    code = 3107
    default_message = "the file failed to upload (not a usable video); upload again"


class AccessDenied(VodError):
    """3108. ``unauthenticated`` distinguishes a missing/bad key (HTTP 401)."""

    code = 3108
    default_message = "access denied"

    def __init__(self, message: str | None = None, *, unauthenticated: bool = False) -> None:
        self.unauthenticated = unauthenticated
        super().__init__(message)


class TooManyGuesses(AccessDenied):
    """3108 for a client that must wait before its next share-password guess (HTTP 429, ``Retry-After``)."""

    default_message = "too many wrong passwords for this video; try again later"

    def __init__(self, retry_after_s: int = 1) -> None:
        self.retry_after_s = max(1, retry_after_s)
        super().__init__(f"too many wrong passwords for this video; try again in {self.retry_after_s} s")


class UploadConflict(InvalidParameter):
    """A tus PATCH at an offset that is not the upload's, or while another request writes to it (HTTP 409)."""

    def __init__(self, reason: str) -> None:
        super().__init__("Upload-Offset", reason)


class ChecksumMismatch(InvalidParameter):
    """A tus chunk whose ``Upload-Checksum`` does not match its bytes; the chunk was discarded (HTTP 460)."""

    def __init__(self, algorithm: str = "sha1") -> None:
        super().__init__("Upload-Checksum", f"({algorithm}) does not match the chunk; the chunk was discarded")


class ChunkTooLong(InvalidParameter):
    """A tus chunk running past the upload's ``Upload-Length``; the chunk was discarded (HTTP 413)."""

    def __init__(self, room: int) -> None:
        super().__init__("body", f"is longer than the {room} bytes the upload still needs; the chunk was discarded")
        self.room = room


class UploadExpired(NotFound):
    """3102 for a tus upload left unfinished past its expiry (HTTP 410); its bytes are being removed."""

    default_message = "the upload expired"


class InternalError(VodError):
    """Base of the 311x–316x codes: a failure of an adapter, never of the caller.

    Use cases raise these, each the one it declares (``fails_as``), from the
    adapter's :class:`StorageUnavailable`.
    """

    code = 3100
    default_message = "internal error"


def _internal(name: str, code: int, message: str) -> type[InternalError]:
    return type(name, (InternalError,), {"code": code, "default_message": message})


CreateTranscodeTaskFailed = _internal("CreateTranscodeTaskFailed", 3111, "cannot create transcode task")
DeleteTranscodeTaskFailed = _internal("DeleteTranscodeTaskFailed", 3112, "cannot delete transcode task")
UploadFromUrlFailed = _internal("UploadFromUrlFailed", 3113, "upload from URL failed")
TempFileFailed = _internal("TempFileFailed", 3114, "temporary file creation failed")
InsertVideoFailed = _internal("InsertVideoFailed", 3121, "insert video failed")
GetVideoFailed = _internal("GetVideoFailed", 3122, "get video failed")
UpdateVideoFailed = _internal("UpdateVideoFailed", 3123, "update video failed")
DeleteVideoFailed = _internal("DeleteVideoFailed", 3124, "delete video failed")
ListVideoFailed = _internal("ListVideoFailed", 3125, "list video failed")
CheckStorageIdFailed = _internal("CheckStorageIdFailed", 3126, "check storage id failed")
SizeSumFailed = _internal("SizeSumFailed", 3127, "size sum failed")
InsertPlaySetFailed = _internal("InsertPlaySetFailed", 3131, "insert play set failed")
GetPlaySetFailed = _internal("GetPlaySetFailed", 3132, "get play set failed")
UpdatePlaySetFailed = _internal("UpdatePlaySetFailed", 3133, "update play set failed")
DeletePlaySetFailed = _internal("DeletePlaySetFailed", 3134, "delete play set failed")
ListPlaySetFailed = _internal("ListPlaySetFailed", 3135, "list play set failed")
AddKeyFailed = _internal("AddKeyFailed", 3141, "add video key description failed")
ModifyKeyFailed = _internal("ModifyKeyFailed", 3142, "modify video key description failed")
GetKeyFailed = _internal("GetKeyFailed", 3143, "get video key description failed")
DeleteKeyFailed = _internal("DeleteKeyFailed", 3144, "delete video key description failed")
SaveTransConfigFailed = _internal("SaveTransConfigFailed", 3151, "save transcode configuration failed")
DeleteTransConfigFailed = _internal("DeleteTransConfigFailed", 3152, "delete transcode configuration failed")
GetTransConfigFailed = _internal("GetTransConfigFailed", 3153, "get transcode configuration failed")
GetTotalTrafficFailed = _internal("GetTotalTrafficFailed", 3161, "database: get total traffic failed")
ListTotalTrafficFailed = _internal("ListTotalTrafficFailed", 3162, "database: list total traffic failed")
ListUserDailyTrafficFailed = _internal("ListUserDailyTrafficFailed", 3163, "database: list user daily traffic failed")
GetUserTotalTrafficFailed = _internal("GetUserTotalTrafficFailed", 3164, "database: get user total traffic failed")

INTERNAL_ERRORS: tuple[type[InternalError], ...] = tuple(InternalError.__subclasses__())


class IllegalTransition(Exception):
    """A state change the contract forbids: a bug, never a caller's mistake."""

    def __init__(self, entity: str, current: int, target: int) -> None:
        super().__init__(f"{entity} cannot move from status {current} to {target}")
        self.entity = entity
        self.current = current
        self.target = target


class StorageUnavailable(Exception):
    """Raised by any adapter whose backing service or driver failed (database, store, queue).

    Not a :class:`VodError`: an adapter does not know which use case it
    serves, so it cannot choose a contract code. Each use case declares the
    :class:`InternalError` it fails with (:func:`vod_core.services.failures.fails_as`),
    and that turns this error into it, cause chained. The adapter logs the
    driver's error where it still knows the statement; the message is safe to
    log and never shown to clients.
    """


class UniqueViolation(Exception):
    """Raised by repositories when a uniqueness rule of the domain would break.

    ``constraint`` names the rule (``LIVE_STORAGE_ID`` of :mod:`vod_core.ports.videos`,
    ``LIVE_TEMPLATE`` of :mod:`vod_core.ports.play_sets`, ``USER_NAME`` of
    :mod:`vod_core.ports.users`), so the use case can answer with the right contract code.
    """

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


class UploadTooLarge(InvalidParameter):
    """An upload over the configured size limit (HTTP 413, errcode 3101)."""

    def __init__(self, limit: int) -> None:
        super().__init__("file", f"is larger than the limit of {limit} bytes")
        self.limit = limit
