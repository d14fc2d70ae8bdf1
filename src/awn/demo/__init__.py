"""The demo helpdesk that `awn demo` and `make run` load: see loader.py for how, content.py for what."""

from awn.demo.loader import DemoOutcome, demo_is_loaded, demo_sign_ins_text, load_demo, reset_demo
from awn.demo.people import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "DemoOutcome", "demo_is_loaded", "demo_sign_ins_text", "load_demo", "reset_demo"]
