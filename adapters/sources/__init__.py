from adapters.sources.http import AiohttpSourceFetcher

__all__ = ["AiohttpSourceFetcher"]
