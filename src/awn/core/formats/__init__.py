"""Date and number formats Django's own locale data leaves out (settings.FORMAT_MODULE_PATH).

Django looks here first and falls back to its own module for every name not set here.
"""
