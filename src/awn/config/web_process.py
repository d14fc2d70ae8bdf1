"""The application each web process of `awn run --processes N` serves (uvicorn imports it by name in every
process it starts), with the language models loading in the background as `awn run` loads them."""

from awn.automation.language import preload_in_background
from awn.config.asgi import application

preload_in_background()  # customers' messages are detected on arrival: have the models ready

__all__ = ["application"]
