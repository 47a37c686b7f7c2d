"""The local web app (``squatcheck serve``): upload or record a video, get the report.

Kept import-light: the analysis processes import ``web.worker`` and must not
pull in the web framework. Use ``web.app.create_app(Settings(...))``.
"""
