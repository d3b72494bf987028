"""The web console at ``/console``: server-rendered pages whose scripts call the JSON API same-origin.

A person signs in with an API key and gets a session cookie
(:mod:`.session`); every API route accepts that cookie instead of a Bearer
key, with the CSRF token on every state-changing request
(:func:`entrypoints.http.auth.user_id`). The pages never hold the key.
"""
